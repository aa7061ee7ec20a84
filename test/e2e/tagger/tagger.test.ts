import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { makeTaggerHandler } from '../../../functions/tagger/handler';
import { DETAIL_TYPE, EVENT_SOURCE, type RunSummaryDetail } from '../../../shared/events';
import { decisionsFor, invoke, NO_BACKOFF, stamp, useSandboxEnv } from '../../helpers/harness';

// The product's attempts per call without the backoff between them: injected faults cost no waiting.
const handler = makeTaggerHandler(NO_BACKOFF);

const FOREIGN_ACCOUNT = '999988887777';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('tagger handler against the local account', () => {
  it('stamps LastUsed on in-use AMIs and LastUsedRuntime on all 2,500, with the fewest CreateTags calls', async () => {
    const region = sandbox.state.region('eu-west-1');
    const images = Array.from({ length: 2500 }, (_, i) =>
      region.addImage({ name: `build-${i}`, snapshotIds: [], creationDate: '2026-01-01T00:00:00Z' }),
    );
    const ami = (i: number) => images[i]!.id;
    region.addInstance({ imageId: ami(0), state: 'running' });
    region.addInstance({ imageId: ami(1), state: 'stopped' });
    region.addInstance({ imageId: ami(2499), state: 'terminated' }); // gone: not a use
    const template = region.addLaunchTemplate({
      name: 'web',
      versions: [{ imageId: ami(2) }, { imageId: ami(3) }, { imageId: ami(4) }, { imageId: ami(5) }],
      defaultVersion: 1,
    });
    // A group scaled to zero still launches from its AMI the moment it scales out.
    region.addAutoScalingGroup({
      name: 'pinned-v2',
      launchTemplate: { launchTemplateId: template.id, version: '2' },
      minSize: 0,
      desiredCapacity: 0,
    });
    const other = region.addLaunchTemplate({ name: 'batch', versions: [{ imageId: ami(6) }] });
    region.addAutoScalingGroup({
      name: 'mixed',
      mixedInstancesPolicy: {
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateName: 'web', version: '$Default' },
          overrides: [
            { instanceType: 'm7g.large', launchTemplateSpecification: { launchTemplateId: other.id } },
          ],
        },
      },
      desiredCapacity: 0,
    });
    region.addLaunchConfiguration({ name: 'legacy', imageId: ami(7) });
    region.addAutoScalingGroup({
      name: 'legacy-group',
      launchConfigurationName: 'legacy',
      desiredCapacity: 0,
    });
    const foreign = region.addImage({ ownerId: FOREIGN_ACCOUNT, name: 'vendor-image' });
    region.addInstance({ imageId: foreign.id, state: 'running' });
    sandbox.requests.reset();

    useSandboxEnv(sandbox, { REGIONS: 'eu-west-1' }, 'tagger');
    const before = Date.now();
    const { summaries, logs } = await invoke(handler);
    const after = Date.now();

    // 2 = $Default, 5 = $Latest, 3 = pinned (and version 2), 4 = version 3 (every version is a rollback
    // target), 6 = override
    const inUse = new Set([0, 1, 2, 3, 4, 5, 6, 7].map(ami));
    for (const image of images) {
      const tags = region.tagsOf(image.id)!;
      const runtime = Date.parse(tags.LastUsedRuntime!);
      expect(tags.LastUsedRuntime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(runtime).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(runtime).toBeLessThanOrEqual(after);
      if (inUse.has(image.id)) expect(tags.LastUsed).toBe(tags.LastUsedRuntime);
      else expect(tags.LastUsed).toBeUndefined();
    }
    // Two tag sets: ceil(8/1000) + ceil(2492/1000) = 1 + 3 calls is the lower bound.
    expect(sandbox.requests.count('ec2', 'CreateTags')).toBe(4);
    expect(sandbox.requests.count('ec2', 'DescribeImages')).toBeGreaterThanOrEqual(3); // paginated
    // All $Latest/$Default, then every version of the one template with more (the pinned one among them).
    expect(sandbox.requests.count('ec2', 'DescribeLaunchTemplateVersions')).toBe(2);

    // The vendor's AMI is reported with its owner, never tagged.
    expect(region.tagsOf(foreign.id)).toEqual({});
    const summary = summaries[0]!;
    expect(summary.reported).toContainEqual(
      expect.objectContaining({ resourceId: foreign.id, reason: expect.stringContaining(FOREIGN_ACCOUNT) }),
    );
    // Informational, not a skip: a skip makes the notifier warn, and running a vendor's AMI is normal.
    expect(summary.skipped.map((s) => s.resourceId)).not.toContain(foreign.id);
    expect(decisionsFor(logs, foreign.id)[0]).toMatchObject({
      action: 'report-foreign',
      region: 'eu-west-1',
    });
    expect(summary.counts).toMatchObject({
      ownedImages: 2500,
      inUse: 8,
      taggedLastUsed: 8,
      taggedRuntime: 2500,
      createTagsCalls: 4,
    });
    expect(decisionsFor(logs, ami(3))[0]!.reason).toContain('pinned-v2');

    const events = sandbox.state.events.filter((e) => e.region === 'eu-west-1' && e.source === EVENT_SOURCE);
    expect(events).toHaveLength(1);
    expect(events[0]!.detailType).toBe(DETAIL_TYPE.runSummary);
    expect((events[0]!.detail as RunSummaryDetail).counts.taggedRuntime).toBe(2500);
  });

  it('covers every region in REGIONS, each with its own summary', async () => {
    const west = sandbox.state.region('eu-central-1').addImage({ name: 'a', snapshotIds: [] });
    const east = sandbox.state.region('us-east-2').addImage({ name: 'b', snapshotIds: [] });
    sandbox.state.region('us-east-2').addInstance({ imageId: east.id });

    useSandboxEnv(sandbox, { REGIONS: 'eu-central-1,us-east-2' }, 'tagger');
    const { summaries } = await invoke(handler);

    expect(summaries.map((s) => s.region)).toEqual(['eu-central-1', 'us-east-2']);
    // Its first run: nobody watched the idle AMI before, so that period ends now too.
    const westTags = sandbox.state.region('eu-central-1').tagsOf(west.id)!;
    expect(westTags).toEqual({
      LastUsedRuntime: expect.any(String),
      LastUsedObservedSince: westTags.LastUsedRuntime,
    });
    expect(Object.keys(sandbox.state.region('us-east-2').tagsOf(east.id)!).sort()).toEqual([
      'LastUsed',
      'LastUsedRuntime',
    ]);
  });

  it('counts an AMI named through a resolve:ssm: parameter in a launch template as in use', async () => {
    const region = sandbox.state.region('eu-west-3');
    const golden = region.addImage({ name: 'golden', snapshotIds: [] });
    const idle = region.addImage({ name: 'idle', snapshotIds: [] });
    useSandboxEnv(sandbox, { REGIONS: 'eu-west-3' }, 'tagger');
    const ssm = new SSMClient({ region: 'eu-west-3', credentials: sandbox.credentials('admin') });
    await ssm.send(new PutParameterCommand({ Name: '/images/golden', Value: golden.id, Type: 'String' }));
    ssm.destroy();
    region.addLaunchTemplate({ name: 'via-ssm', versions: [{ imageId: 'resolve:ssm:/images/golden' }] });

    const { summaries, logs } = await invoke(handler);

    expect(region.tagsOf(golden.id)!.LastUsed).toBeDefined();
    expect(region.tagsOf(idle.id)!.LastUsed).toBeUndefined();
    expect(decisionsFor(logs, golden.id)[0]!.reason).toContain('/images/golden');
    expect(summaries[0]!.skipped).toEqual([]);
  });

  it('survives throttling: the SDK retries RequestLimitExceeded and the run completes', async () => {
    const region = sandbox.state.region('ap-south-1');
    const image = region.addImage({ name: 'c', snapshotIds: [] });
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
      code: 'RequestLimitExceeded',
      times: 2,
    });
    sandbox.requests.reset();

    useSandboxEnv(sandbox, { REGIONS: 'ap-south-1' }, 'tagger');
    const { summaries } = await invoke(handler);

    expect(
      sandbox.requests.errors().filter((e) => e.errorCode === 'RequestLimitExceeded').length,
    ).toBeGreaterThanOrEqual(4);
    expect(summaries[0]!.failures).toEqual([]);
    expect(region.tagsOf(image.id)!.LastUsedRuntime).toBeDefined();
    sandbox.faults.clear();
  });

  it('records a failed CreateTags batch and still writes the other tag set', async () => {
    const region = sandbox.state.region('ca-central-1');
    const used = region.addImage({ name: 'used', snapshotIds: [] });
    const idle = region.addImage({ name: 'idle', snapshotIds: [] });
    region.addInstance({ imageId: used.id });
    sandbox.faults.add({
      action: 'CreateTags',
      region: 'ca-central-1',
      resourceId: used.id,
      code: 'UnauthorizedOperation',
    });

    useSandboxEnv(sandbox, { REGIONS: 'ca-central-1' }, 'tagger');
    const { summaries } = await invoke(handler);

    expect(summaries[0]!.failures).toEqual([
      expect.objectContaining({
        resourceId: used.id,
        action: 'CreateTags',
        message: expect.stringContaining('UnauthorizedOperation'),
      }),
    ]);
    expect(region.tagsOf(idle.id)!.LastUsedRuntime).toBeDefined();
    expect(region.tagsOf(used.id)).toEqual({});
    sandbox.faults.clear();
  });

  it('fails the invocation when the configuration is invalid', async () => {
    useSandboxEnv(sandbox, { REGIONS: 'eu-west-1', AWS_MAX_ATTEMPTS: 'lots' }, 'tagger');
    await expect(invoke(handler)).rejects.toThrow(
      'AWS_MAX_ATTEMPTS="lots" is not valid: expected a whole number >= 1',
    );
  });

  it('keeps its stamp format stable for cleanup (whole seconds, Z)', () => {
    expect(stamp(0, Date.parse('2026-11-23T10:00:00.123Z'))).toBe('2026-11-23T10:00:00Z');
  });
});
