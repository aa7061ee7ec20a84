/**
 * Loading and running the packaged handlers in a child process on another node (Node 22, Lambda's
 * runtime: bench/node22.ts finds it). The child runs asynchronously: a test's local account answers
 * the child's AWS calls from this process, so this process must not block while it waits.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export { findNode22, NODE22_PACKAGE, type Node22 } from '../../bench/node22';

export interface ChildRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module given as text on `node` with `args` and exactly `env` (nothing inherited). */
export function runModule(
  node: string,
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['--input-type=module', '-e', script, ...args], { env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * The module and export a Lambda handler string names, found as the Node.js runtime finds it:
 * `functions/tagger/handler.handler` is the export `handler` of functions/tagger/handler.mjs (or .js, .cjs).
 */
export function handlerModule(root: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  const base = join(root, handler.slice(0, dot));
  const file = ['.mjs', '.js', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new Error(`handler ${handler}: no ${base}.mjs, .js or .cjs in the unpacked zip`);
  return { file, exportName: handler.slice(dot + 1) };
}

/** One line of JSON: the child's node version and typeof the export, or the import's error. */
const EXPORT_CHECK = `
const [url, name] = process.argv.slice(1);
try {
  const m = await import(url);
  console.log(JSON.stringify({ node: process.version, type: typeof m[name] }));
} catch (e) {
  console.log(JSON.stringify({ node: process.version, error: String((e && e.stack) || e) }));
}
`;

export interface ExportCheck {
  node: string;
  type?: string;
  error?: string;
}

/** Imports the module on `node` the way the runtime does (import()) and says what `exportName` is. */
export async function checkExport(node: string, file: string, exportName: string): Promise<ExportCheck> {
  const r = await runModule(node, EXPORT_CHECK, [pathToFileURL(file).href, exportName], {
    PATH: process.env.PATH ?? '',
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ExportCheck;
  } catch {
    throw new Error(
      `checking ${file} on ${node} printed no result (exit ${r.status}): ${r.stderr.slice(-800)}`,
    );
  }
}

/**
 * Invokes the export once as Lambda does (a scheduled event and a context with 5 minutes left) and
 * prints its result on a last line `RESULT {...}`; the handler's own log lines come before it.
 */
const INVOKE = `
const [url, name, functionName] = process.argv.slice(1);
const m = await import(url);
const deadline = Date.now() + 5 * 60 * 1000;
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:' + functionName,
  memoryLimitInMB: '512',
  awsRequestId: 'node22-bundle-check',
  logGroupName: '/aws/lambda/' + functionName,
  logStreamName: 'node22',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
const result = await m[name]({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, context);
console.log('RESULT ' + JSON.stringify({ node: process.version, result }));
`;

/** Runs the handler once on `node` with exactly `env`; its result, the node that ran it and its log lines. */
export async function invokeUnder(
  node: string,
  file: string,
  exportName: string,
  functionName: string,
  env: Record<string, string>,
): Promise<{ node: string; result: unknown; logs: string[] }> {
  const r = await runModule(node, INVOKE, [pathToFileURL(file).href, exportName, functionName], env);
  const lines = r.stdout.trim().split('\n');
  const last = lines.pop() ?? '';
  if (r.status !== 0 || !last.startsWith('RESULT ')) {
    throw new Error(
      `invoking ${file} on ${node} failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-1200)}`,
    );
  }
  return { ...(JSON.parse(last.slice('RESULT '.length)) as { node: string; result: unknown }), logs: lines };
}
