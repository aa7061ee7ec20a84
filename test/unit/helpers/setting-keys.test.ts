/**
 * useSandboxEnv removes every setting before a test sets its own: this checks that its list knows
 * every environment key a function is deployed with or its code reads, so a setting added later
 * cannot leak from one test into the next unnoticed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { SETTING_KEYS } from '../../helpers/harness';

const ROOT = join(__dirname, '../../..');
/** Set by Lambda or by the sandbox itself, or passed but read by no code: not a test's setting. */
const NOT_SETTINGS = ['AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_LAMBDA_FUNCTION_NAME', 'EVENT_SOURCE'];

function files(dir: string, ending: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, ending);
    return path.endsWith(ending) ? [path] : [];
  });
}

/** The keys under each `environment:` block of the stack's yml files. */
function deployedKeys(): Set<string> {
  const keys = new Set<string>();
  for (const path of [join(ROOT, 'serverless.yml'), ...files(join(ROOT, 'functions'), '.yml')]) {
    let indent = -1;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const block = /^(\s*)environment:\s*$/.exec(line);
      if (block) {
        indent = block[1]!.length;
        continue;
      }
      if (indent < 0 || /^\s*(#.*)?$/.test(line)) continue;
      const entry = /^(\s*)([A-Z][A-Z0-9_]*):/.exec(line);
      if (entry && entry[1]!.length > indent) keys.add(entry[2]!);
      else indent = -1;
    }
  }
  return keys;
}

/** Keys the code reads on a line that names the environment: `env.KEY`, `(env, 'KEY')`, `get('KEY')`. */
function readKeys(): Set<string> {
  const keys = new Set<string>();
  const sources = [...files(join(ROOT, 'shared'), '.ts'), ...files(join(ROOT, 'functions'), '.ts')];
  for (const path of sources) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!/env|get\('/.test(line)) continue;
      for (const m of line.matchAll(/env\.([A-Z][A-Z0-9_]+)|'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g))
        keys.add(m[1] ?? m[2]!);
    }
  }
  return keys;
}

describe('the settings useSandboxEnv resets', () => {
  const known = new Set<string>([...SETTING_KEYS, ...NOT_SETTINGS]);

  it('include every key a function is deployed with', () => {
    const keys = deployedKeys();
    expect(keys.has('SCALE_DEFAULT_SCHEDULE')).toBe(true); // the yml reading works
    expect([...keys].filter((k) => !known.has(k))).toEqual([]);
  });

  it('include every key the code reads from its environment', () => {
    const keys = readKeys();
    expect(keys.has('SELF_HEAL_POLL_SECONDS')).toBe(true); // the source reading works
    expect([...keys].filter((k) => !known.has(k))).toEqual([]);
  });
});
