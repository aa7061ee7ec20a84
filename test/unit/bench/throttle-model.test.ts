import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

import { simulatedMs } from '../../../bench/measure';
import { throttleSpecs } from '../../../bench/throttle-model';
import { bucketApplies, type BucketRequest } from '../../../sandbox/faults';
import type { RequestEntry } from '../../../sandbox/requests';

const ROOT = join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** API actions a file imports from an SDK client: `XCommand` and `paginateX` (aliases too). */
function importedActions(source: string, client: string): string[] {
  const out: string[] = [];
  const pattern = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'@aws-sdk/${client}'`, 'g');
  for (const match of source.matchAll(pattern)) {
    for (const raw of match[1]!.split(',')) {
      const name = raw
        .trim()
        .split(/\s+as\s+/)[0]!
        .replace(/^type\s+/, '');
      if (name.endsWith('Command')) out.push(name.slice(0, -'Command'.length));
      else if (name.startsWith('paginate')) out.push(name.slice('paginate'.length));
    }
  }
  return out;
}

const callers = [...sourceFiles(join(ROOT, 'shared')), join(ROOT, 'bench', 'naive-tagger.ts')];

describe('the throttle model covers what the jobs call', () => {
  const specs = throttleSpecs();
  const covered = (request: BucketRequest) => specs.some((s) => bucketApplies(s, request));

  it.each([
    ['ec2', 'client-ec2'],
    ['autoscaling', 'client-auto-scaling'],
  ])('every %s action imported under shared/ and by the naive tagger has a bucket', (service, client) => {
    const actions = [...new Set(callers.flatMap((f) => importedActions(readFileSync(f, 'utf8'), client)))];
    expect(actions.length).toBeGreaterThan(3);
    // The jobs paginate their Describe calls: a call with MaxResults must find its bucket.
    const missing = actions.filter(
      (action) => !covered({ service, action, region: 'eu-west-1', params: { MaxResults: 1 } }),
    );
    expect(missing).toEqual([]);
  });

  it('puts Start/StopInstances under a request bucket and a per-instance resource bucket', () => {
    const start = {
      service: 'ec2',
      action: 'StartInstances',
      region: 'eu-west-1',
      params: { InstanceId: 100 },
    };
    const applying = specs.filter((s) => bucketApplies(s, start));
    expect(applying.map((s) => [s.burst, s.refillPerSecond, s.costPer])).toEqual([
      [50, 5, undefined],
      [1000, 2, 'InstanceId'],
    ]);
  });
});

describe('simulatedMs under the published buckets', () => {
  const entry = (action: string, params: Record<string, number>, errorCode?: string): RequestEntry => ({
    seq: 0,
    service: 'ec2',
    action,
    region: 'eu-west-1',
    status: errorCode ? 503 : 200,
    injected: errorCode !== undefined,
    params,
    ...(errorCode ? { errorCode } : {}),
  });
  const calls = (n: number, action: string, params: Record<string, number>) =>
    Array.from({ length: n }, () => entry(action, params));
  const specs = throttleSpecs();

  it('starting 3000 instances in calls of 100: the first 1000 at once, the other 2000 at 2 a second', () => {
    // 30 calls fit StartInstances' request bucket (50); the resource bucket is what waits.
    expect(simulatedMs(calls(30, 'StartInstances', { InstanceId: 100 }), specs, 0)).toBeCloseTo(1_000_000, 3);
  });

  it('stopping 3000 instances: the other 2000 at 20 a second', () => {
    expect(simulatedMs(calls(30, 'StopInstances', { InstanceId: 100 }), specs, 0)).toBeCloseTo(100_000, 3);
  });

  it('one call for more instances than the bucket holds goes at once and its debt delays the next', () => {
    const big = [entry('StartInstances', { InstanceId: 1500 }), entry('StartInstances', { InstanceId: 1 })];
    // 1000 - 1500 = -500 after the first; the second waits for 501 tokens at 2 a second.
    expect(simulatedMs(big, specs, 0)).toBeCloseTo(250_500, 3);
  });

  it('charges an unpaginated, unfiltered DescribeInstances to the 50/10 bucket, a paginated one to 100/20', () => {
    // 60 unpaginated calls: 50 from the burst, 10 more at 10 a second = 1 s.
    expect(simulatedMs(calls(60, 'DescribeInstances', {}), specs, 0)).toBeCloseTo(1000, 3);
    expect(simulatedMs(calls(60, 'DescribeInstances', { MaxResults: 1 }), specs, 0)).toBe(0);
    expect(simulatedMs(calls(60, 'DescribeInstances', { Filter: 2 }), specs, 0)).toBe(0);
    // DescribeImages is not on the unpaginated list: 100/20 either way.
    expect(simulatedMs(calls(60, 'DescribeImages', {}), specs, 0)).toBe(0);
  });

  it('gives DeregisterImage and DeleteSnapshot their own 100/5 buckets, DeleteTags 100/10', () => {
    expect(simulatedMs(calls(110, 'DeregisterImage', {}), specs, 0)).toBeCloseTo(2000, 3);
    expect(simulatedMs(calls(110, 'DeleteSnapshot', {}), specs, 0)).toBeCloseTo(2000, 3);
    expect(simulatedMs(calls(110, 'DeleteTags', {}), specs, 0)).toBeCloseTo(1000, 3);
    // Separate buckets: interleaved, 110 of each still take 2 s, not 4.
    const both = calls(110, 'DeregisterImage', {}).flatMap((e) => [e, entry('DeleteSnapshot', {})]);
    expect(simulatedMs(both, specs, 0)).toBeCloseTo(2000, 3);
  });

  it('replays a refused attempt as nothing: only answered requests take tokens', () => {
    const log = [
      ...calls(10, 'StartInstances', { InstanceId: 100 }),
      entry('StartInstances', { InstanceId: 100 }, 'RequestLimitExceeded'),
    ];
    expect(simulatedMs(log, specs, 0)).toBe(0);
  });

  it('is Infinity when a bucket that never refills is empty: the work could not be done', () => {
    const never = [{ service: 'ec2', action: 'DeregisterImage', burst: 1, refillPerSecond: 0 }];
    expect(simulatedMs(calls(2, 'DeregisterImage', {}), never, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
