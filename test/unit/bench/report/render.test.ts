import { describe, expect, it } from '@jest/globals';

import { renderComparison, renderResults, type BenchResults } from '../../../../bench/report';
import type { JobRow } from '../../../../bench/scenarios';

function job(job: string, size: string, total: number, over: Partial<JobRow> = {}): JobRow {
  return {
    job,
    size,
    requests: { 'ec2:CreateTags': total },
    total,
    bound: { 'ec2:CreateTags': 2, 'events:PutEvents': 1 },
    boundTotal: 3,
    ratio: Math.round((total / 3) * 100) / 100,
    throttled: 0,
    failures: 0,
    simulatedMs: 500,
    realMs: 1_700,
    peakRssMb: 117.7,
    peakHeapMb: 28.6,
    notes: [],
    ...over,
  };
}

function results(over: Partial<BenchResults> = {}): BenchResults {
  return {
    mode: 'quick',
    startedAt: '2026-12-01T18:31:30.331Z',
    model: { latencyMs: 20, buckets: 'EC2 per API' },
    jobs: [job('tagger', '1k', 3), job('naive-tagger', '1k', 1_002, { simulatedMs: 90_000, peakRssMb: 0 })],
    cleanup: [],
    scale: [],
    retry: [],
    checks: [
      { target: 'tagger 1k requests <= 1.1 x lower bound', pass: true, detail: '3 / 3 = 1.00, 0 failures' },
    ],
    ...over,
  };
}

describe('renderResults', () => {
  const text = renderResults(results());

  it('prints one table row a job, figures aligned, "-" where memory was not measured', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'ec2-hygiene bench (quick), 2026-12-01T18:31:30.331Z; throttle model: EC2 per API; 20 ms per request',
    );
    expect(lines[2]).toMatch(/^job\s+size\s+requests\s+lower bound\s+ratio/);
    expect(lines[4]).toMatch(
      /^tagger\s+1k\s+3\s+3\s+1\.00\s+0\s+0\s+500 ms\s+1\.7 s\s+117\.7 MB\s+28\.6 MB$/,
    );
    expect(lines[5]).toMatch(/^naive-tagger\s+1k\s+1002\s+3\s+334\.00 .* 1\.5 min\s+1\.7 s\s+- /);
  });

  it('lists requests per action against the bound, the naive tagger against the real one, and each target', () => {
    expect(text).toContain('  tagger 1k: ec2:CreateTags 3/2, events:PutEvents 0/1');
    expect(text).toContain('  naive/real tagger at 1k: 334.0x requests, 180.0x simulated time');
    expect(text.endsWith('\nPASS  tagger 1k requests <= 1.1 x lower bound: 3 / 3 = 1.00, 0 failures')).toBe(
      true,
    );
  });
});

describe('renderComparison', () => {
  it('gives each job its deltas, names a new one, and names a target that changed verdict', () => {
    const previous = results({
      jobs: [job('tagger', '1k', 5, { simulatedMs: 1_800, peakRssMb: 100 })],
      checks: [{ target: 'tagger 1k requests <= 1.1 x lower bound', pass: false, detail: '' }],
    });
    expect(renderComparison(results(), previous).split('\n')).toEqual([
      'Compared with quick run of 2026-12-01T18:31:30.331Z:',
      '  tagger 1k: requests -2, throttled 0, simulated -1.3 s, peak RSS +17.7 MB',
      '  naive-tagger 1k: new',
      '  tagger 1k requests <= 1.1 x lower bound: was FAIL, now PASS',
    ]);
  });
});
