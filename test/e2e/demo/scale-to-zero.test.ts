import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { runScaleToZeroStory } from '../../../demo/scale-to-zero';
import { startSandbox, type Sandbox } from '../../../sandbox/server';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('the scale-to-zero demo story', () => {
  it('goes as it tells it: every check holds, the bad tag is reported', async () => {
    const lines: string[] = [];
    const result = await runScaleToZeroStory(sandbox, { print: (l) => lines.push(l) });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks.length).toBeGreaterThanOrEqual(8);
    expect(lines.join('\n')).toContain('reported: ');
    expect(result.summaries.every((s) => s.failures.length === 0)).toBe(true);
  });
});
