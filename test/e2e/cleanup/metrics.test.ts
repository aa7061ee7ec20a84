/**
 * The real handlers write one EMF line per run and region, with values that match what the run did
 * to the local account (not only what its summary says).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { handler as taggerHandler } from '../../../functions/tagger/handler';
import { handler as cleanupHandler } from '../../../functions/cleanup/handler';
import { METRICS_NAMESPACE } from '../../../shared/metrics';
import { DAY, MINUTE, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const metricLines = (logs: Record<string, unknown>[]) => logs.filter((l) => '_aws' in l);

describe('metrics the handlers emit (EMF)', () => {
  it('tagger: one line with what it tagged, what is in use, bad tags and the age of the newest LastUsedRuntime', async () => {
    const region = sandbox.state.region('eu-west-1');
    const now = Date.now();
    const used = region.addImage({
      name: 'used',
      snapshotIds: [],
      tags: { LastUsedRuntime: stamp(25 * MINUTE, now) },
    });
    region.addInstance({ imageId: used.id, state: 'running' });
    // The newest readable stamp is this one, 25 minutes old; the older one must not win.
    const idle = region.addImage({
      name: 'idle',
      snapshotIds: [],
      tags: { LastUsedRuntime: stamp(3 * DAY, now) },
    });
    // Unreadable: never taken as the newest. The tagger does not skip it: it rewrites the stamp (and
    // marks the AMI unobserved), so it is no skip for a bad tag either.
    const bad = region.addImage({ name: 'bad', snapshotIds: [], tags: { LastUsedRuntime: 'yesterday' } });

    useSandboxEnv(sandbox, { REGIONS: 'eu-west-1' }, 'tagger');
    const { logs } = await invoke(taggerHandler);

    const lines = metricLines(logs);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({
      Function: 'tagger',
      Region: 'eu-west-1',
      Runs: 1,
      AMIsInUse: 1,
      AMIsTaggedLastUsed: 1,
      SkippedForBadTags: 0,
    });
    expect(region.tagsOf(bad.id)?.LastUsedRuntime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // What the account shows: the AMIs whose LastUsedRuntime this run rewrote.
    const before = new Map([
      [used.id, stamp(25 * MINUTE, now)],
      [idle.id, stamp(3 * DAY, now)],
      [bad.id, 'yesterday'],
    ]);
    const restamped = [...before].filter(([id, was]) => region.tagsOf(id)?.LastUsedRuntime !== was);
    expect(restamped.length).toBeGreaterThan(0);
    expect(line.AMIsTaggedLastUsedRuntime).toBe(restamped.length);
    // 25 minutes, measured from the run's own clock (a few seconds later at most).
    const age = line.NewestLastUsedRuntimeAgeSeconds as number;
    expect(age).toBeGreaterThanOrEqual(25 * 60);
    expect(age).toBeLessThan(26 * 60);
    const aws = line._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
    expect(aws.CloudWatchMetrics[0]!.Namespace).toBe(METRICS_NAMESPACE);
    expect(aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).toContain('NewestLastUsedRuntimeAgeSeconds');
  });

  it('counts the AWS requests of the run, retries included, and the throttled ones, as the account saw them', async () => {
    const region = sandbox.state.region('ap-south-1');
    region.addImage({ name: 'throttled', snapshotIds: [] });
    sandbox.faults.add({
      service: 'ec2',
      action: 'DescribeImages',
      region: 'ap-south-1',
      code: 'RequestLimitExceeded',
      times: 2,
    });
    sandbox.faults.add({
      service: 'ec2',
      action: 'CreateTags',
      region: 'ap-south-1',
      code: 'Throttling',
      times: 1,
    });
    sandbox.requests.reset();

    useSandboxEnv(sandbox, { REGIONS: 'ap-south-1' }, 'tagger');
    const { logs } = await invoke(taggerHandler);
    sandbox.faults.clear();

    // The summary's PutEvents is sent after the metrics are taken.
    const seen = sandbox.requests.all().filter((r) => r.region === 'ap-south-1' && r.action !== 'PutEvents');
    const throttled = seen.filter(
      (r) => r.errorCode === 'RequestLimitExceeded' || r.errorCode === 'Throttling',
    );
    expect(throttled).toHaveLength(3);
    expect(metricLines(logs)[0]).toMatchObject({ ApiRequests: seen.length, ApiThrottles: 3 });
  });

  it('cleanup: deleted AMIs and AMIs kept per main reason match the account after the run', async () => {
    const region = sandbox.state.region('eu-central-1');
    const fresh = stamp(5 * MINUTE);
    const old = region.addImage({
      name: 'old',
      snapshotIds: [],
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: fresh },
    });
    const recent = region.addImage({
      name: 'recent',
      snapshotIds: [],
      tags: { AutoCleanup: 'true', LastUsed: stamp(1 * DAY), LastUsedRuntime: fresh },
    });
    const running = region.addImage({
      name: 'running',
      snapshotIds: [],
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: fresh },
    });
    region.addInstance({ imageId: running.id, state: 'running' });
    region.addImage({ name: 'manual', snapshotIds: [], tags: { LastUsedRuntime: fresh } });

    useSandboxEnv(sandbox, { REGIONS: 'eu-central-1', DRY_RUN: 'false' }, 'cleanup');
    const { logs } = await invoke(cleanupHandler);

    const lines = metricLines(logs);
    expect(lines).toHaveLength(1);
    expect(region.tagsOf(old.id)).toBeUndefined();
    expect(region.tagsOf(recent.id)).toBeDefined();
    expect(lines[0]).toMatchObject({
      Function: 'cleanup',
      Region: 'eu-central-1',
      AMIsDeleted: 1,
      KeptInUse: 1,
      KeptRetention: 1,
      KeptNotOptedIn: 1,
      CleanupRefused: 0,
      KeptRefused: 0,
    });
  });
});
