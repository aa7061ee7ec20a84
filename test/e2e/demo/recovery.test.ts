import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { runRecoveryStory } from '../../../demo/recovery';
import { startSandbox, type Sandbox } from '../../../sandbox/server';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('the recovery demo story', () => {
  it('goes as it tells it: alarms written once, the breach recovers the same instance, its alarms go with it', async () => {
    const lines: string[] = [];
    const result = await runRecoveryStory(sandbox, { print: (l) => lines.push(l) });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks).toHaveLength(5);
    expect(lines.join('\n')).toMatch(/ec2:recover: recovered on new hardware: still i-/);
    expect(result.summaries.every((s) => s.failures.length === 0)).toBe(true);
  });
});
