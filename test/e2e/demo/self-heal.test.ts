import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { runSelfHealStory } from '../../../demo/self-heal';
import { startSandbox, type Sandbox } from '../../../sandbox/server';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('the self-heal demo story', () => {
  it('goes as it tells it: the replacement comes back with the same Elastic IP and volume, once', async () => {
    const lines: string[] = [];
    const result = await runSelfHealStory(sandbox, { print: (l) => lines.push(l) });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks).toHaveLength(6);
    expect(lines.join('\n')).toMatch(/attached after waiting 10 s/);
    expect(result.summaries.every((s) => s.failures.length === 0)).toBe(true);
  });
});
