/**
 * The functions' IAM roles exactly as the stack defines them: `serverless print` resolves the
 * Serverless variables (${param:…}, ${self:…}, ${sls:stage}) the way `serverless package` does, then
 * the CloudFormation intrinsics are resolved here for one account and deployment region. Printing
 * takes a few seconds, so its output is cached under node_modules/.cache, keyed by the stack's files
 * and the parameters.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { resolveIntrinsics, type StackContext } from './cfn';
import type { PolicyDocument } from './policy';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

export interface StackOptions {
  /** Default `local`. */
  stage?: string;
  /** The deployment region: `${AWS::Region}` in the roles. Default eu-west-1. */
  region?: string;
  /** `--param` values, e.g. { eventBusName: 'arn:aws:events:…' }. */
  params?: Readonly<Record<string, string>>;
}

export interface FunctionRole {
  /** The function's name in serverless.yml, e.g. `cleanup`. */
  functionName: string;
  /** The role's logical id, e.g. `CleanupRole`. */
  logicalId: string;
  /** arn:aws:iam::<account>:role/<service>-<stage>-<LogicalId>, as CloudFormation would name it. */
  arn: string;
  policies: { name: string; document: PolicyDocument }[];
}

export interface StackRoles {
  stage: string;
  region: string;
  service: string;
  accountId: string;
  /** By function name. */
  roles: Map<string, FunctionRole>;
  /** The functions' role resources, resolved. */
  resources: Record<string, unknown>;
}

interface PrintedConfig {
  service: string;
  provider: { stage: string; region: string };
  functions: Record<string, { role?: string }>;
  resources: { Resources: Record<string, unknown>; Conditions?: Record<string, unknown> };
}

/** The files `serverless print` reads; any change to them invalidates the cache. */
function stackFiles(): string[] {
  const files = [join(ROOT, 'serverless.yml'), join(ROOT, 'package-lock.json')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ya?ml|js)$/.test(entry.name)) files.push(path);
    }
  };
  walk(join(ROOT, 'functions'));
  walk(join(ROOT, 'serverless'));
  return files;
}

function cacheKey(stage: string, region: string, params: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const file of stackFiles()) hash.update(file).update(readFileSync(file));
  hash.update(JSON.stringify({ stage, region, params: Object.entries(params).sort() }));
  return hash.digest('hex').slice(0, 24);
}

/** `serverless print`, once per distinct stack and parameters (cached across processes). */
export async function printStack(options: StackOptions = {}): Promise<PrintedConfig> {
  const stage = options.stage ?? 'local';
  const region = options.region ?? 'eu-west-1';
  const params = options.params ?? {};
  const file = join(
    ROOT,
    'node_modules',
    '.cache',
    'ec2-hygiene-stack',
    `${cacheKey(stage, region, params)}.json`,
  );
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as PrintedConfig;

  const args = ['print', '--stage', stage, '--region', region, '--format', 'json'];
  for (const [key, value] of Object.entries(params)) args.push(`--param=${key}=${value}`);
  const bin = join(ROOT, 'node_modules', '.bin', 'serverless');
  const { stdout } = await run(bin, args, {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
    // No instance metadata service here: without this the credential lookup waits ~10 s for a
    // timeout. Printing needs no credentials at all.
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1' },
  });
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`serverless print gave no JSON: ${stdout.slice(0, 500)}`);
  const config = JSON.parse(stdout.slice(start)) as PrintedConfig;
  mkdirSync(dirname(file), { recursive: true });
  // Several test workers may print at once: write aside, then rename (atomic on one file system).
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(config));
  renameSync(partial, file);
  return config;
}

/** The roles of every function, resolved for this account. */
export async function loadStackRoles(accountId: string, options: StackOptions = {}): Promise<StackRoles> {
  const config = await printStack(options);
  const context: StackContext = {
    accountId,
    region: config.provider.region,
    partition: 'aws',
    stackName: `${config.service}-${config.provider.stage}`,
    resources: config.resources.Resources,
    conditions: config.resources.Conditions ?? {},
  };
  const roles = new Map<string, FunctionRole>();
  const resources: Record<string, unknown> = {};
  for (const [functionName, fn] of Object.entries(config.functions)) {
    if (!fn.role) throw new Error(`function ${functionName} has no role of its own in serverless.yml`);
    // Only the roles are resolved: the rest of the template may use intrinsics the sandbox never needs.
    resources[fn.role] = resolveIntrinsics(config.resources.Resources[fn.role], context);
    const role = resources[fn.role] as
      | { Type: string; Properties: { Policies?: { PolicyName: string; PolicyDocument: PolicyDocument }[] } }
      | undefined;
    if (role?.Type !== 'AWS::IAM::Role') {
      throw new Error(`function ${functionName}: role ${fn.role} is not an AWS::IAM::Role in the stack`);
    }
    roles.set(functionName, {
      functionName,
      logicalId: fn.role,
      arn: `arn:aws:iam::${accountId}:role/${context.stackName}-${fn.role}`,
      policies: (role.Properties.Policies ?? []).map((p) => ({
        name: p.PolicyName,
        document: p.PolicyDocument,
      })),
    });
  }
  return {
    stage: config.provider.stage,
    region: config.provider.region,
    service: config.service,
    accountId,
    roles,
    resources,
  };
}
