import { describe, expect, it } from '@jest/globals';

import { taggerWrites } from '../../shared/aws/tagging';
import type { RunSummaryDetail } from '../../shared/events';
import { fitSummary, MAX_DETAIL_BYTES } from '../../shared/aws/events';

function summaryWith(failures: number): RunSummaryDetail {
  return {
    function: 'cleanup',
    region: 'eu-west-1',
    accountId: '123456789012',
    startedAt: '2026-11-23T10:00:00Z',
    finishedAt: '2026-11-23T10:01:00Z',
    dryRun: false,
    incomplete: false,
    counts: { deleted: 1 },
    failures: Array.from({ length: failures }, (_, i) => ({
      resourceId: `ami-${String(i).padStart(17, '0')}`,
      action: 'DeregisterImage',
      message: 'UnauthorizedOperation: '.padEnd(300, 'x'),
    })),
    skipped: [],
  };
}

describe('fitSummary', () => {
  it('leaves a small summary alone', () => {
    const s = summaryWith(3);
    expect(fitSummary(s)).toBe(s);
  });

  it('shortens long lists to fit EventBridge and counts what it left out', () => {
    const fitted = fitSummary(summaryWith(5000));
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    expect(fitted.failures.length).toBeGreaterThan(0);
    expect(fitted.failures.length + fitted.counts.failuresOmitted!).toBe(5000);
    expect(fitted.counts.deleted).toBe(1);
  });
});

describe('taggerWrites', () => {
  it('groups ids by identical tag sets and writes an in-use id once, with both tags', () => {
    const now = new Date('2026-11-23T10:00:00.456Z');
    expect(taggerWrites(['ami-1'], ['ami-1', 'ami-2', 'ami-2'], now, [])).toEqual([
      {
        tags: { LastUsed: '2026-11-23T10:00:00Z', LastUsedRuntime: '2026-11-23T10:00:00Z' },
        resourceIds: ['ami-1'],
      },
      { tags: { LastUsedRuntime: '2026-11-23T10:00:00Z' }, resourceIds: ['ami-2'] },
    ]);
  });

  it('writes the end of an unwatched period in the same call as LastUsedRuntime, never on its own', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const t = '2026-11-23T10:00:00Z';
    // ami-1 is in use (LastUsed now says more), ami-2 and ami-3 come out of an outage, ami-4 did not.
    expect(
      taggerWrites(['ami-1'], ['ami-1', 'ami-2', 'ami-3', 'ami-4'], now, ['ami-1', 'ami-2', 'ami-3']),
    ).toEqual([
      { tags: { LastUsed: t, LastUsedRuntime: t }, resourceIds: ['ami-1'] },
      { tags: { LastUsedRuntime: t, LastUsedObservedSince: t }, resourceIds: ['ami-2', 'ami-3'] },
      { tags: { LastUsedRuntime: t }, resourceIds: ['ami-4'] },
    ]);
  });
});
