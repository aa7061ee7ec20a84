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
    // The night's patch window is told, with the window and the times.
    expect(lines.join('\n')).toMatch(
      /start i-\w+: started for maintenance window mw-\w+ \(demo-nightly-patch\) at 02:00 UTC, 30 min lead; back to off at 04:00 UTC/,
    );
    // The database: stopped at night, started in the morning, both told.
    expect(lines.join('\n')).toMatch(/stop demo-orders-db: off since .*: stop the DB instance until/);
    expect(lines.join('\n')).toMatch(/start demo-orders-db: on since .*: start the DB instance/);
    expect(result.summaries.every((s) => s.failures.length === 0)).toBe(true);
  });

  it('prints the savings in money, always as an estimate', async () => {
    const fresh = await startSandbox();
    try {
      const lines: string[] = [];
      const result = await runScaleToZeroStory(fresh, { print: (l) => lines.push(l) });
      // Two m5.large for 13.5 h, two t3.micro boxes (one stopped at 18:30, one at 22:00) until 08:00.
      expect(result.savings).toEqual({
        // Each run's figure is rounded to the cent: $3.04 at 18:30, $0.11 at 22:00.
        usd: 3.15,
        instanceHours: 50.5,
        unpricedTypes: [],
      });
      const night = lines.find((l) => l.startsWith("\nthe night's savings: "));
      expect(night).toContain(
        `estimated $${result.savings.usd.toFixed(2)} for 50.5 instance-hours (an estimate`,
      );
    } finally {
      await fresh.close();
    }
  });
});
