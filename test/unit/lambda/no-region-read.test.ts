import { describe, expect, it } from '@jest/globals';

import type { RunSummaryDetail } from '../../../shared/events';
import { failWhenNoRegionRead, type JobOutcome, type JobResponse } from '../../../shared/lambda';

function summary(region: string, failures: RunSummaryDetail['failures'] = []): RunSummaryDetail {
  return {
    function: 'tagger',
    region,
    accountId: '',
    startedAt: '2026-11-30T12:00:00Z',
    finishedAt: '2026-11-30T12:00:01Z',
    dryRun: false,
    incomplete: false,
    counts: {},
    failures,
    skipped: [],
  };
}

/** The response Lambda gets for a run whose outcome is `outcome()`. */
async function invoke(
  fn: Parameters<typeof failWhenNoRegionRead>[0],
  outcome: () => Promise<JobOutcome>,
): Promise<JobResponse> {
  return failWhenNoRegionRead(fn, await outcome());
}

describe('failWhenNoRegionRead', () => {
  it('fails the invocation naming the function and each region failure when no region was read', async () => {
    const summaries = [
      summary('eu-west-1', [
        { resourceId: 'eu-west-1', action: 'inventory', message: 'could not read the AMIs: AccessDenied' },
      ]),
      summary('us-east-1', [
        { resourceId: 'us-east-1', action: 'inventory', message: 'could not read the AMIs: Throttling' },
      ]),
    ];
    await expect(invoke('scale-to-zero', async () => ({ ok: false, summaries }))).rejects.toThrow(
      new Error(
        'scale-to-zero: no region could be read (eu-west-1: could not read the AMIs: AccessDenied; ' +
          'us-east-1: could not read the AMIs: Throttling)',
      ),
    );
  });

  it('fails with an empty reason when no region was read and none recorded a failure (out of time)', async () => {
    const out = { ...summary('eu-west-1'), incomplete: true };
    await expect(invoke('recovery', async () => ({ ok: false, summaries: [out] }))).rejects.toThrow(
      new Error('recovery: no region could be read ()'),
    );
  });

  it('returns only the summaries when a region was read, failures and all', async () => {
    const summaries = [
      summary('eu-west-1'),
      summary('us-east-1', [{ resourceId: 'ami-1', action: 'tag', message: 'AccessDenied' }]),
    ];
    const response = await invoke('tagger', async () => ({ ok: true, summaries }));
    expect(response).toEqual({ summaries });
    expect(response).not.toHaveProperty('ok');
  });

  it("leaves the job's own error as it is", async () => {
    const failure = new Error('REGIONS="eu-west-1,," is not valid');
    await expect(
      invoke('cleanup', async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });
});
