/**
 * IAM slips that only a real account would have shown, each found by the local account's
 * enforcement and each run through the real handlers signed as their own roles.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

import { handler as cleanupHandler } from '../../../functions/cleanup/handler';
import { handler as taggerHandler } from '../../../functions/tagger/handler';
import { startSandbox, type Caller, type Sandbox } from '../../../sandbox/server';
import { DETAIL_TYPE, EVENT_SOURCE, type RunSummaryDetail } from '../../../shared/events';
import { DAY, MINUTE, decisionsFor, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const summariesOn = (s: Sandbox, region: string, bus = 'default') =>
  s.state.events.filter(
    (e) =>
      e.region === region &&
      e.eventBusName === bus &&
      e.source === EVENT_SOURCE &&
      e.detailType === DETAIL_TYPE.runSummary,
  );

describe('cleanup and the tagger hold in a real account', () => {
  it('skips and reports AutoCleanup=" true " (IAM would refuse the deregistration), marking nothing', async () => {
    const region = sandbox.state.region('eu-west-1');
    const tags = { LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) };
    const padded = region.addImage({
      name: 'padded',
      creationDate: stamp(90 * DAY),
      tags: { ...tags, AutoCleanup: ' true ' },
    });
    const control = region.addImage({
      name: 'control',
      creationDate: stamp(90 * DAY),
      tags: { ...tags, AutoCleanup: 'True' },
    });
    const paddedSnapshot = padded.blockDeviceMappings[0]!.snapshotId!;

    useSandboxEnv(sandbox, { REGIONS: 'eu-west-1', DRY_RUN: 'false' }, 'cleanup');
    const { summaries, logs } = await invoke(cleanupHandler);

    expect(region.getImage(control.id)).toBeUndefined();
    expect(region.getImage(padded.id)).toBeDefined();
    expect(region.getSnapshot(paddedSnapshot)!.tags).not.toHaveProperty('AutoCleanupPendingDeletion');
    expect(summaries[0]!.failures).toEqual([]);
    expect(summaries[0]!.skipped).toContainEqual(
      expect.objectContaining({ resourceId: padded.id, tag: 'AutoCleanup', value: ' true ' }),
    );
    expect(sandbox.requests.all().filter((r) => r.errorCode === 'UnauthorizedOperation')).toEqual([]);
    expect(decisionsFor(logs, padded.id)[0]).toMatchObject({ action: expect.stringMatching(/skip/) });
  });

  it('denies the tagger and cleanup the fleet’s own parameters (the notifier’s webhook secrets)', async () => {
    const admin = new SSMClient({
      endpoint: sandbox.url,
      region: 'eu-west-1',
      credentials: sandbox.credentials('admin'),
    });
    await admin.send(
      new PutParameterCommand({
        Name: '/ec2-hygiene/prod/slack-webhook',
        Type: 'SecureString',
        Value: 'https://hooks.example/T/B/secret',
      }),
    );
    await admin.send(
      new PutParameterCommand({ Name: '/images/golden', Type: 'String', Value: 'ami-0123456789abcdef0' }),
    );
    admin.destroy();
    for (const caller of ['tagger', 'cleanup'] as Caller[]) {
      const ssm = new SSMClient({
        endpoint: sandbox.url,
        region: 'eu-west-1',
        credentials: sandbox.credentials(caller),
        maxAttempts: 1,
      });
      await expect(
        ssm.send(new GetParameterCommand({ Name: '/ec2-hygiene/prod/slack-webhook', WithDecryption: true })),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining('explicit deny'),
      });
      // Any other parameter (a template's resolve:ssm: image) stays readable.
      await expect(ssm.send(new GetParameterCommand({ Name: '/images/golden' }))).resolves.toBeDefined();
      ssm.destroy();
    }
  });

  it('publishes to an event bus given as an ARN (the role names that bus, not event-bus/<ARN>)', async () => {
    const busArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/fleet-ops';
    const withBus = await startSandbox({ iam: { params: { eventBusName: busArn } } });
    try {
      withBus.state.region('eu-west-1').addImage({ name: 'x', snapshotIds: [] });
      useSandboxEnv(withBus, { REGIONS: 'eu-west-1', EVENT_BUS_NAME: busArn }, 'tagger');
      const { summaries } = await invoke(taggerHandler);
      expect(summaries[0]!.failures).toEqual([]);
      expect(summariesOn(withBus, 'eu-west-1', busArn)).toHaveLength(1);
      expect(withBus.requests.all().filter((r) => r.errorCode === 'AccessDeniedException')).toEqual([]);
    } finally {
      await withBus.close();
    }
  });

  it('with several regions, sends every region’s summary to the deployment region’s bus', async () => {
    sandbox.state.region('ap-southeast-1').addImage({ name: 'a', snapshotIds: [] });
    sandbox.state.region('us-west-2').addImage({ name: 'b', snapshotIds: [] });
    const before = sandbox.state.events.length;
    useSandboxEnv(sandbox, { REGIONS: 'ap-southeast-1,us-west-2', AWS_REGION: 'eu-central-1' }, 'tagger');
    const { summaries } = await invoke(taggerHandler);
    expect(summaries.map((s) => s.region)).toEqual(['ap-southeast-1', 'us-west-2']);
    const sent = sandbox.state.events.slice(before).filter((e) => e.source === EVENT_SOURCE);
    expect(sent.map((e) => [e.region, (e.detail as RunSummaryDetail).region])).toEqual([
      ['eu-central-1', 'ap-southeast-1'],
      ['eu-central-1', 'us-west-2'],
    ]);
  });

  it('with several regions, a refusal in another region also reaches the deployment region’s bus', async () => {
    // Opted in, old, and the tagger long gone: cleanup refuses in that region.
    sandbox.state.region('sa-east-1').addImage({
      name: 'stale',
      creationDate: stamp(90 * DAY),
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(3 * DAY) },
    });
    const before = sandbox.state.events.length;
    useSandboxEnv(sandbox, { REGIONS: 'sa-east-1', AWS_REGION: 'eu-central-1', DRY_RUN: 'false' }, 'cleanup');
    await invoke(cleanupHandler);
    const sent = sandbox.state.events.slice(before).filter((e) => e.source === EVENT_SOURCE);
    expect(sent.map((e) => [e.region, e.detailType])).toEqual([
      ['eu-central-1', DETAIL_TYPE.runSummary],
      ['eu-central-1', DETAIL_TYPE.cleanupRefused],
    ]);
  });
});
