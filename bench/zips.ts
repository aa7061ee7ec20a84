/**
 * The deployed bundles as files: `serverless package` (offline, nothing is deployed) into a folder,
 * each function's zip unpacked, and the handler module in it the Lambda runtime loads. Shared by the
 * bench (bench/bundles.ts: sizes and start ratios) and the Node 22 test (test/e2e/bundles).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageOptions {
  stage: string;
  /** `--param=` values, e.g. the notifier's destination the package-time check asks for. */
  params?: Record<string, string>;
}

/** `serverless package` into `outDir`, offline (no AWS credentials, no instance metadata). */
export function packageFunctions(repoDir: string, outDir: string, options: PackageOptions): void {
  const args = ['serverless', 'package', '--stage', options.stage, '--package', outDir];
  for (const [key, value] of Object.entries(options.params ?? {})) args.push(`--param=${key}=${value}`);
  const sls = spawnSync('npx', args, {
    cwd: repoDir,
    stdio: 'pipe',
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  if (sls.status !== 0) {
    throw new Error(
      `serverless package failed: ${(sls.stdout.toString() + sls.stderr.toString()).slice(-800)}`,
    );
  }
}

/** The zips a package folder holds (`.serverless/` after `npm run package`), sorted; none if it is absent. */
export function zipsIn(pkgDir: string): string[] {
  if (!existsSync(pkgDir)) return [];
  return readdirSync(pkgDir)
    .filter((f) => f.endsWith('.zip'))
    .sort();
}

/** Each file in the zip with its size and its compressed size (from `unzip -v`). */
export function zipEntries(zip: string): Record<string, { bytes: number; zipped: number }> {
  const out: Record<string, { bytes: number; zipped: number }> = {};
  for (const line of execFileSync('unzip', ['-v', zip]).toString().split('\n')) {
    // Length  Method  Size  Cmpr  Date  Time  CRC-32  Name
    const m = /^\s*(\d+)\s+\S+\s+(\d+)\s+\S+%\s+\S+\s+\S+\s+[0-9a-f]{8}\s+(.+)$/.exec(line);
    if (m) out[m[3]!] = { bytes: Number(m[1]), zipped: Number(m[2]) };
  }
  return out;
}

export interface UnpackedBundle {
  /** The function's name: its zip's name without .zip. */
  name: string;
  zipPath: string;
  files: Record<string, { bytes: number; zipped: number }>;
  /** The handler module's path inside the zip, e.g. functions/tagger/handler.mjs. */
  handler: string;
  /** Where the handler module is on disk once unpacked. */
  file: string;
}

/** Every zip in `pkgDir` unpacked into `workDir/<name>`, with the handler module the runtime loads. */
export function unpackZips(pkgDir: string, workDir: string): UnpackedBundle[] {
  return zipsIn(pkgDir).map((zip) => {
    const name = zip.replace(/\.zip$/, '');
    const zipPath = join(pkgDir, zip);
    const dir = join(workDir, name);
    execFileSync('unzip', ['-q', '-o', zipPath, '-d', dir]);
    const files = zipEntries(zipPath);
    // The entry the runtime loads, not one of its chunks (handler.<chunk>-<hash>.mjs).
    const handler = Object.keys(files).find((f) => /(^|\/)handler\.m?js$/.test(f));
    if (!handler) throw new Error(`${zip} holds no handler.js/.mjs: ${Object.keys(files).join(', ')}`);
    return { name, zipPath, files, handler, file: join(dir, handler) };
  });
}

export interface PackagedFunction {
  /** The template's Handler, e.g. functions/tagger/handler.handler (module path, then export). */
  handler: string;
  runtime: string;
  /** Environment variables whose value is a plain string (those built from a Ref are left out). */
  environment: Record<string, string>;
}

/**
 * What the packaged template deploys for each function, by its zip's name: the handler the runtime
 * calls, the runtime, and the environment it gets.
 */
export function packagedFunctions(pkgDir: string): Record<string, PackagedFunction> {
  const file = join(pkgDir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const out: Record<string, PackagedFunction> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = r.Properties as {
      Handler: string;
      Runtime: string;
      Code: { S3Key: string };
      Environment?: { Variables?: Record<string, unknown> };
    };
    const zip = /([^/]+)\.zip$/.exec(p.Code.S3Key)?.[1];
    if (!zip) throw new Error(`${file}: ${id}'s Code.S3Key ${p.Code.S3Key} names no zip`);
    const env = Object.entries(p.Environment?.Variables ?? {}).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    );
    out[zip] = { handler: p.Handler, runtime: p.Runtime, environment: Object.fromEntries(env) };
  }
  return out;
}
