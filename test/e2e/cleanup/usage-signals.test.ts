/**
 * Every way an AMI can be in use, each ALONE keeping an AMI that every other rule would delete,
 * beside a control AMI the same cleanup run deletes: older launch template versions, EC2 Fleets (a
 * pinned version, an override's ImageId), Spot Fleet requests, Spot instance requests, SSM parameters
 * of data type aws:ec2:image, EC2's LastLaunchedTime, and an instance launched after the inventory.
 * The real cleanup handler (or runCleanup, where the test must act between inventory and deletion)
 * against the local account; the tagger stamps LastUsed for the same signals.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { handler as cleanupHandler } from '../../../functions/cleanup/handler';
import { handler as taggerHandler } from '../../../functions/tagger/handler';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { ssmParameters } from '../../../sandbox/services/ssm';
import type { RegionState } from '../../../sandbox/state/region';
import { createClients, destroyClients } from '../../../shared/aws/clients';
import { loadSettings } from '../../../shared/config';
import { runCleanup } from '../../../shared/jobs/cleanup';
import { DAY, MINUTE, decisionsFor, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(() => {
  sandbox.faults.clear();
});

/** Opted in, unused for 30 days, tagger seen 5 minutes ago: deleted unless something uses it. */
function eligible(region: RegionState, name: string) {
  return region.addImage({
    name,
    creationDate: stamp(90 * DAY),
    tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
  });
}

/** An AMI no one opted in: a template version or fleet may name it without it being at stake. */
function other(region: RegionState, name: string) {
  return region.addImage({
    name,
    creationDate: stamp(90 * DAY),
    tags: { LastUsedRuntime: stamp(5 * MINUTE) },
  });
}

function clean(regionName: string, settings: Record<string, string> = {}) {
  useSandboxEnv(sandbox, { REGIONS: regionName, DRY_RUN: 'false', ...settings }, 'cleanup');
  return invoke(cleanupHandler);
}

/** The decision the plan logged for the AMI, and whether it is still registered. */
function outcome(region: RegionState, logs: Record<string, unknown>[], imageId: string) {
  const plan = decisionsFor(logs, imageId).find((d) => String(d.action).startsWith('plan-'));
  return { registered: region.getImage(imageId) !== undefined, reason: String(plan?.reason ?? '') };
}

describe('every usage signal keeps its AMI on its own', () => {
  it('an older launch template version (1 of 3) keeps its AMI; the control AMI is deleted', async () => {
    const region = sandbox.state.region('eu-west-1');
    const control = eligible(region, 'control');
    const rollback = eligible(region, 'rollback-target');
    const template = region.addLaunchTemplate({
      name: 'web',
      versions: [
        { imageId: rollback.id },
        { imageId: other(region, 'v2').id },
        { imageId: other(region, 'v3').id },
      ],
      defaultVersion: 3,
    });
    sandbox.requests.reset();

    const { summaries, logs } = await clean('eu-west-1');

    expect(outcome(region, logs, control.id).registered).toBe(false);
    const kept = outcome(region, logs, rollback.id);
    expect(kept.registered).toBe(true);
    expect(kept.reason).toBe(`in use by launch template ${template.id} (web) version 1`);
    expect(summaries[0]!.counts).toMatchObject({ deleted: 1, refused: 0, failed: 0 });
    // One bulk call for $Default/$Latest, one for the template whose older versions it did not return.
    expect(sandbox.requests.count('ec2', 'DescribeLaunchTemplateVersions')).toBe(2);
    expect(sandbox.requests.count('ec2', 'DescribeLaunchTemplates')).toBe(1);
  });

  it('with launchTemplateVersionsInUse=2, a version older than the newest two no longer keeps its AMI', async () => {
    const region = sandbox.state.region('eu-west-2');
    const old = eligible(region, 'v1-of-3');
    const second = eligible(region, 'v2-of-3');
    region.addLaunchTemplate({
      name: 'web',
      versions: [{ imageId: old.id }, { imageId: second.id }, { imageId: other(region, 'v3').id }],
      defaultVersion: 3,
    });

    // The plan's narrowing alone: EC2's own second opinion (DescribeImageReferences) scans recent
    // template versions too, and would keep the AMI whatever this setting says.
    const { logs } = await clean('eu-west-2', {
      LAUNCH_TEMPLATE_VERSIONS_IN_USE: '2',
      CHECK_IMAGE_REFERENCES: 'false',
    });

    expect(outcome(region, logs, old.id).registered).toBe(false);
    expect(outcome(region, logs, second.id)).toMatchObject({ registered: true });
    expect(outcome(region, logs, second.id).reason).toContain('(web) version 2');
  });

  it('a bad launchTemplateVersionsInUse fails the run with an error naming the setting', async () => {
    useSandboxEnv(
      sandbox,
      {
        REGIONS: 'eu-west-2',
        DRY_RUN: 'false',
        LAUNCH_TEMPLATE_VERSIONS_IN_USE: 'all',
      },
      'cleanup',
    );
    await expect(invoke(cleanupHandler)).rejects.toThrow(
      'LAUNCH_TEMPLATE_VERSIONS_IN_USE="all" is not valid: expected a whole number of launch template versions >= 1',
    );
  });

  it('an EC2 Fleet keeps the AMI of the template version it pins, and the AMI an override names', async () => {
    const region = sandbox.state.region('eu-west-3');
    const control = eligible(region, 'control');
    const pinned = eligible(region, 'fleet-pinned');
    const overridden = eligible(region, 'fleet-override');
    const deletedFleetImage = eligible(region, 'deleted-fleet');
    const template = region.addLaunchTemplate({
      name: 'batch',
      versions: [
        { imageId: other(region, 'v1').id },
        { imageId: pinned.id },
        { imageId: other(region, 'v3').id },
      ],
      defaultVersion: 3,
    });
    const fleet = region.addFleet({
      type: 'maintain',
      launchTemplateConfigs: [
        {
          launchTemplateSpecification: { launchTemplateId: template.id, version: '2' },
          overrides: [{ instanceType: 'm7g.large', imageId: overridden.id }],
        },
      ],
    });
    // A deleted fleet launches nothing more.
    region.addFleet({
      state: 'deleted',
      launchTemplateConfigs: [
        {
          launchTemplateSpecification: { launchTemplateId: template.id, version: '3' },
          overrides: [{ imageId: deletedFleetImage.id }],
        },
      ],
    });

    // Only the newest version counts as the template's own use: the fleet's pin alone keeps version 2.
    const { logs } = await clean('eu-west-3', { LAUNCH_TEMPLATE_VERSIONS_IN_USE: '1' });

    expect(outcome(region, logs, control.id).registered).toBe(false);
    expect(outcome(region, logs, deletedFleetImage.id).registered).toBe(false);
    expect(outcome(region, logs, pinned.id)).toEqual({
      registered: true,
      reason: `in use by EC2 fleet ${fleet.id} (maintain, launch template ${template.id} (batch) version 2)`,
    });
    expect(outcome(region, logs, overridden.id)).toEqual({
      registered: true,
      reason: `in use by EC2 fleet ${fleet.id} (maintain, launch template ${template.id} override)`,
    });
  });

  it('a Spot Fleet request keeps the AMI of its launch specification; a cancelled one does not', async () => {
    const region = sandbox.state.region('eu-central-1');
    const control = eligible(region, 'control');
    const spec = eligible(region, 'spot-fleet');
    const cancelledSpec = eligible(region, 'cancelled-spot-fleet');
    const request = region.addSpotFleetRequest({ launchSpecifications: [{ imageId: spec.id }] });
    region.addSpotFleetRequest({ state: 'cancelled', launchSpecifications: [{ imageId: cancelledSpec.id }] });

    const { logs } = await clean('eu-central-1');

    expect(outcome(region, logs, control.id).registered).toBe(false);
    expect(outcome(region, logs, cancelledSpec.id).registered).toBe(false);
    expect(outcome(region, logs, spec.id)).toEqual({
      registered: true,
      reason: `in use by Spot Fleet request ${request.id} (maintain, launch specification)`,
    });
  });

  it('an open persistent Spot instance request keeps its AMI; a closed one does not', async () => {
    const region = sandbox.state.region('us-east-1');
    const control = eligible(region, 'control');
    const wanted = eligible(region, 'spot-request');
    const closedImage = eligible(region, 'closed-request');
    const request = region.addSpotInstanceRequest({ imageId: wanted.id, type: 'persistent', state: 'open' });
    region.addSpotInstanceRequest({ imageId: closedImage.id, state: 'closed' });

    const { logs } = await clean('us-east-1');

    expect(outcome(region, logs, control.id).registered).toBe(false);
    expect(outcome(region, logs, closedImage.id).registered).toBe(false);
    expect(outcome(region, logs, wanted.id)).toEqual({
      registered: true,
      reason: `in use by Spot instance request ${request.id} (open, persistent)`,
    });
  });

  it('an SSM parameter of data type aws:ec2:image keeps its AMI though no template names it', async () => {
    const region = sandbox.state.region('us-east-2');
    const control = eligible(region, 'control');
    const golden = eligible(region, 'golden');
    useSandboxEnv(sandbox, { REGIONS: 'us-east-2' }, 'cleanup');
    const ssm = new SSMClient({ region: 'us-east-2', credentials: sandbox.credentials('admin') });
    await ssm.send(
      new PutParameterCommand({
        Name: '/golden/web',
        Value: golden.id,
        Type: 'String',
        DataType: 'aws:ec2:image',
      }),
    );
    // A text parameter holding an AMI id is not the signal (only aws:ec2:image is read).
    await ssm.send(new PutParameterCommand({ Name: '/notes/ami', Value: control.id, Type: 'String' }));
    ssm.destroy();

    const { logs } = await clean('us-east-2');

    expect(outcome(region, logs, control.id).registered).toBe(false);
    expect(outcome(region, logs, golden.id)).toEqual({
      registered: true,
      reason: 'in use by SSM parameter /golden/web (data type aws:ec2:image)',
    });
  });

  it("EC2's LastLaunchedTime counts as activity, and one in the future keeps the AMI and is reported", async () => {
    const region = sandbox.state.region('us-west-2');
    const control = eligible(region, 'control');
    const launched = region.addImage({
      name: 'launched-2-days-ago',
      creationDate: stamp(90 * DAY),
      lastLaunchedTime: stamp(2 * DAY),
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    });
    const future = region.addImage({
      name: 'launched-tomorrow',
      creationDate: stamp(90 * DAY),
      lastLaunchedTime: stamp(-DAY),
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    });

    const { logs } = await clean('us-west-2');

    expect(outcome(region, logs, control.id).registered).toBe(false);
    const kept = outcome(region, logs, launched.id);
    expect(kept.registered).toBe(true);
    // The run reads the real clock after the seeding (whole seconds): a few seconds may pass between.
    expect(kept.reason).toMatch(
      /^last launched \S+Z \(EC2 LastLaunchedTime\), 2 days(?: \d+ (?:s|min))? ago: within the 7 days retention$/,
    );
    expect(outcome(region, logs, future.id)).toEqual({
      registered: true,
      reason: `EC2 LastLaunchedTime ${future.lastLaunchedTime} is in the future: kept and reported`,
    });
    expect(logs).toContainEqual(
      expect.objectContaining({
        type: 'tag-problem',
        resourceId: future.id,
        message: expect.stringContaining('LastLaunchedTime'),
      }),
    );
  });

  it('an instance launched after the inventory keeps its AMI: cleanup looks again right before deregistering', async () => {
    const REGION = 'ap-south-1';
    const region = sandbox.state.region(REGION);
    const control = eligible(region, 'control');
    const target = eligible(region, 'launched-meanwhile');
    Object.assign(process.env, sandbox.env(REGION, 'cleanup'));
    const clients = createClients(REGION);
    // Someone launches from the AMI once the run has read the account and planned: at its first
    // launch-permission read, which comes after the inventory and before any deletion.
    let launched: string | undefined;
    clients.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeImageAttributeCommand' && launched === undefined) {
          launched = region.addInstance({ imageId: target.id, state: 'pending' }).id;
        }
        return next(args);
      },
      { step: 'initialize', name: 'launchAfterInventory' },
    );
    const logs: Record<string, unknown>[] = [];
    try {
      const result = await runCleanup({
        clientsFor: () => clients,
        settings: loadSettings({ REGIONS: REGION, DRY_RUN: 'false' }),
        now: new Date(),
        log: (line) => logs.push(line),
        budget: { remainingMs: () => 60_000, hasTimeFor: () => true },
      });
      const summary = result.summaries[0]!;

      expect(launched).toBeDefined();
      expect(region.getImage(control.id)).toBeUndefined();
      expect(region.getImage(target.id)).toBeDefined();
      expect(summary.counts).toMatchObject({ deleted: 1, keptByInstanceCheck: 1 });
      expect(summary.skipped).toContainEqual({
        resourceId: target.id,
        reason: `in use right before deregistering: instance ${launched} (pending)`,
      });
      expect(decisionsFor(logs, target.id).map((d) => d.action)).toEqual(['plan-delete', 'kept-instance']);
      // Its snapshot was never marked for deletion.
      const snapshot = target.blockDeviceMappings[0]!.snapshotId!;
      expect(region.tagsOf(snapshot)!.AutoCleanupPendingDeletion).toBeUndefined();
    } finally {
      destroyClients(clients);
    }
  });

  it('a failed last look keeps the whole batch for the next run and records the failure', async () => {
    const REGION = 'ap-southeast-2';
    const region = sandbox.state.region(REGION);
    const a = eligible(region, 'a');
    const b = eligible(region, 'b');
    // Every DescribeInstances that filters by image id fails (past the SDK's retries); the inventory's does not.
    sandbox.faults.add({
      service: 'ec2',
      action: 'DescribeInstances',
      resourceId: a.id,
      code: 'UnauthorizedOperation',
      status: 403,
    });

    const { summaries } = await clean(REGION);

    expect(region.getImage(a.id)).toBeDefined();
    expect(region.getImage(b.id)).toBeDefined();
    const failures = summaries[0]!.failures.filter((f) => f.action === 'DescribeInstances');
    expect(failures.map((f) => f.resourceId).sort()).toEqual([a.id, b.id].sort());
    expect(failures[0]!.message).toContain('the AMI was kept');
    expect(summaries[0]!.counts).toMatchObject({ deleted: 0 });
    expect(
      sandbox.requests.all().filter((r) => r.action === 'DeregisterImage' && r.region === REGION),
    ).toEqual([]);
  });
});

describe('what cannot be read is never taken for unused', () => {
  it('a template whose older versions cannot be read makes the run refuse; 250 versions are read in pages of 200', async () => {
    const region = sandbox.state.region('ca-central-1');
    const a = eligible(region, 'a');
    const many = region.addLaunchTemplate({
      name: 'many',
      versions: Array.from({ length: 250 }, (_, i) => ({
        imageId: i === 0 ? a.id : other(region, `v${i + 1}`).id,
      })),
      defaultVersion: 250,
    });
    const hidden = region.addLaunchTemplate({
      name: 'hidden',
      versions: [
        { imageId: other(region, 'h1').id },
        { imageId: other(region, 'h2').id },
        { imageId: other(region, 'h3').id },
      ],
      defaultVersion: 3,
    });
    sandbox.faults.add({
      service: 'ec2',
      action: 'DescribeLaunchTemplateVersions',
      resourceId: hidden.id,
      code: 'UnauthorizedOperation',
      status: 403,
    });
    sandbox.requests.reset();

    const { summaries, logs } = await clean('ca-central-1');

    expect(region.getImage(a.id)).toBeDefined();
    expect(summaries[0]!.counts).toMatchObject({ refused: 1, deleted: 0 });
    expect(logs).toContainEqual(
      expect.objectContaining({
        type: 'refused',
        message: expect.stringContaining(
          `launch template ${hidden.id} (hidden): versions 1 to 3 could not be read`,
        ),
      }),
    );
    // The bulk $Default/$Latest call, two pages of the 250-version template, one failed call for the other.
    const perTemplate = sandbox.requests
      .all()
      .filter((r) => r.action === 'DescribeLaunchTemplateVersions' && r.region === 'ca-central-1');
    expect(perTemplate).toHaveLength(4);
    expect(outcome(region, logs, a.id).reason).toContain(`launch template ${many.id} (many) version 1`);
  });

  it('a template deleted between DescribeLaunchTemplates and the read of its versions launches nothing: no refusal', async () => {
    const region = sandbox.state.region('il-central-1');
    const control = eligible(region, 'control');
    const gone = region.addLaunchTemplate({
      name: 'gone',
      versions: [{ imageId: other(region, 'g1').id }, {}, {}],
      defaultVersion: 3,
    });
    sandbox.faults.add({
      service: 'ec2',
      action: 'DescribeLaunchTemplateVersions',
      resourceId: gone.id,
      code: 'InvalidLaunchTemplateId.NotFound',
      status: 400,
    });

    const { summaries } = await clean('il-central-1');

    expect(summaries[0]!.counts).toMatchObject({ refused: 0, deleted: 1 });
    expect(region.getImage(control.id)).toBeUndefined();
  });

  it('aws:ec2:image parameters whose values cannot be read make the run refuse', async () => {
    const region = sandbox.state.region('eu-south-2');
    const a = eligible(region, 'a');
    useSandboxEnv(sandbox, { REGIONS: 'eu-south-2' }, 'cleanup');
    const ssm = new SSMClient({ region: 'eu-south-2', credentials: sandbox.credentials('admin') });
    await ssm.send(
      new PutParameterCommand({ Name: '/golden/x', Value: a.id, Type: 'String', DataType: 'aws:ec2:image' }),
    );
    ssm.destroy();
    sandbox.faults.add({
      service: 'ssm',
      action: 'GetParameters',
      code: 'AccessDeniedException',
      status: 400,
    });

    const { summaries, logs } = await clean('eu-south-2');

    expect(region.getImage(a.id)).toBeDefined();
    expect(summaries[0]!.counts).toMatchObject({ refused: 1, deleted: 0 });
    expect(summaries[0]!.skipped).toContainEqual({
      resourceId: '/golden/x',
      reason: expect.stringMatching(
        /^could not read SSM parameters of data type aws:ec2:image: AccessDeniedException/,
      ),
    });
    expect(logs).toContainEqual(
      expect.objectContaining({
        type: 'refused',
        message: expect.stringContaining(
          'SSM parameter /golden/x (data type aws:ec2:image): its value could not be read',
        ),
      }),
    );
  });
});

describe('an aws:ec2:image parameter deleted between DescribeParameters and GetParameters', () => {
  it('names no AMI any more: the run goes on and deletes the AMI it held', async () => {
    const REGION = 'eu-central-2';
    const region = sandbox.state.region(REGION);
    const held = eligible(region, 'held-by-a-deleted-parameter');
    const kept = eligible(region, 'held-by-a-parameter');
    Object.assign(process.env, sandbox.env(REGION, 'cleanup'));
    const clients = createClients(REGION);
    const admin = new SSMClient({ region: REGION, credentials: sandbox.credentials('admin') });
    await admin.send(
      new PutParameterCommand({
        Name: '/golden/old',
        Value: held.id,
        Type: 'String',
        DataType: 'aws:ec2:image',
      }),
    );
    await admin.send(
      new PutParameterCommand({
        Name: '/golden/new',
        Value: kept.id,
        Type: 'String',
        DataType: 'aws:ec2:image',
      }),
    );
    // Someone deletes /golden/old after the run listed it and before it read the values.
    clients.ssm.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetParametersCommand')
          ssmParameters(sandbox.state, REGION).delete('/golden/old');
        return next(args);
      },
      { step: 'initialize', name: 'deleteParameterMeanwhile' },
    );
    try {
      const result = await runCleanup({
        clientsFor: () => clients,
        settings: loadSettings({ REGIONS: REGION, DRY_RUN: 'false' }),
        now: new Date(),
        log: () => undefined,
        budget: { remainingMs: () => 60_000, hasTimeFor: () => true },
      });
      expect(result.summaries[0]!.counts).toMatchObject({ refused: 0, deleted: 1 });
      expect(region.getImage(held.id)).toBeUndefined();
      expect(region.getImage(kept.id)).toBeDefined();
    } finally {
      destroyClients(clients);
      admin.destroy();
    }
  });
});

describe('the tagger sees the same signals', () => {
  it('stamps LastUsed on AMIs used only by a fleet, an SSM parameter, a Spot request or older template versions', async () => {
    const region = sandbox.state.region('sa-east-1');
    const byFleet = other(region, 'fleet');
    const byParameter = other(region, 'parameter');
    const bySpot = other(region, 'spot');
    const byOldVersion = other(region, 'old-version');
    const bySecondVersion = other(region, 'second-version');
    const notUsed = other(region, 'not-used');
    const template = region.addLaunchTemplate({
      name: 'web',
      versions: [{ imageId: byOldVersion.id }, { imageId: bySecondVersion.id }],
      defaultVersion: 2,
    });
    region.addLaunchTemplateVersion(template.id, {}, { makeDefault: true }); // v3 without an image
    region.addFleet({
      launchTemplateConfigs: [
        {
          launchTemplateSpecification: { launchTemplateId: template.id, version: '3' },
          overrides: [{ imageId: byFleet.id }],
        },
      ],
    });
    region.addSpotInstanceRequest({ imageId: bySpot.id, type: 'persistent', state: 'active' });
    useSandboxEnv(sandbox, { REGIONS: 'sa-east-1' }, 'tagger');
    const ssm = new SSMClient({ region: 'sa-east-1', credentials: sandbox.credentials('admin') });
    await ssm.send(
      new PutParameterCommand({
        Name: '/golden/api',
        Value: byParameter.id,
        Type: 'String',
        DataType: 'aws:ec2:image',
      }),
    );
    ssm.destroy();

    const { summaries, logs } = await invoke(taggerHandler);

    for (const image of [byFleet, byParameter, bySpot, byOldVersion, bySecondVersion]) {
      const tags = region.tagsOf(image.id)!;
      expect(tags.LastUsed).toBe(tags.LastUsedRuntime);
    }
    expect(region.tagsOf(notUsed.id)!.LastUsed).toBeUndefined();
    expect(decisionsFor(logs, byFleet.id)[0]!.reason).toContain('EC2 fleet');
    expect(decisionsFor(logs, byParameter.id)[0]!.reason).toContain('SSM parameter /golden/api');
    expect(decisionsFor(logs, bySpot.id)[0]!.reason).toContain('Spot instance request');
    expect(summaries[0]!.counts).toMatchObject({ inUse: 5, taggedLastUsed: 5 });
  });
});
