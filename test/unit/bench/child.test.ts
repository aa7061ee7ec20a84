import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

import { lambdaHeapFlags } from '../../../bench/child';

const MB = 1024 * 1024;

function heapLimitWith(flags: string[]): number {
  const out = spawnSync(
    process.execPath,
    [...flags, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'],
    { encoding: 'utf8' },
  );
  expect(out.status).toBe(0);
  return Number(out.stdout);
}

describe('the benchmark child runs with the heap limits Lambda gives a function', () => {
  it("follows the Node.js runtime's split: a tenth for the young generation, half of it a semi-space", () => {
    expect(lambdaHeapFlags(256)).toEqual(['--max-semi-space-size=12', '--max-old-space-size=231']);
    expect(lambdaHeapFlags(512)).toEqual(['--max-semi-space-size=25', '--max-old-space-size=461']);
    expect(lambdaHeapFlags(1769)).toEqual(['--max-semi-space-size=88', '--max-old-space-size=1593']);
  });

  it('caps a node started with them near the memory size, far below an uncapped node', () => {
    const capped = heapLimitWith(lambdaHeapFlags(256));
    const uncapped = heapLimitWith([]);
    expect(capped).toBeGreaterThan(200 * MB);
    expect(capped).toBeLessThanOrEqual(300 * MB);
    expect(uncapped).toBeGreaterThan(capped * 2);
  });
});
