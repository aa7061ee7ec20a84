/** The weekly digest says what the databases saved, apart from the instances, and that it is compute only. */
import { describe, expect, it } from '@jest/globals';

import { digestNotification } from '../../../../shared/notify/digest/message';

const part = (metrics: Record<string, number>) => ({
  fn: 'scale-to-zero' as const,
  region: 'eu-west-1',
  accountId: '123456789012',
  runs: 96,
  dryRuns: 0,
  metrics,
});

describe('the digest’s database savings', () => {
  it('has its own line, compute only, and the USD is not repeated among the figures', () => {
    const n = digestNotification(
      {
        week: '2026-11-23',
        parts: [
          part({
            EstimatedInstanceHoursSaved: 27,
            EstimatedSavingsUsd: 2.89,
            EstimatedDbInstanceHoursSaved: 67.5,
            EstimatedDatabaseSavingsUsd: 8.61,
          }),
        ],
      },
      new Date('2026-11-30T00:00:00Z'),
      '123456789012',
    );
    expect(n.reason).toContain(
      'Saved about $8.61 on databases (estimate, compute only: storage is still billed): 67.5 DB instance-hours stopped',
    );
    expect(n.reason).not.toContain('Estimated database savings usd');
  });

  it('says nothing about databases when none was stopped', () => {
    const n = digestNotification(
      { week: '2026-11-23', parts: [part({ EstimatedInstanceHoursSaved: 27, EstimatedSavingsUsd: 2.89 })] },
      new Date('2026-11-30T00:00:00Z'),
      '123456789012',
    );
    expect(n.reason).not.toContain('databases');
  });
});
