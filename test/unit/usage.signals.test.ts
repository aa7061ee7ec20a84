/**
 * The usage index for the signals beyond instances, $Default/$Latest and groups: every launch
 * template version (or the newest N), EC2 Fleets, Spot Fleet requests, Spot instance requests and
 * SSM parameters of data type aws:ec2:image, with their reasons in words, and every reference that
 * cannot be resolved reported as unresolved (cleanup then deletes nothing).
 */
import { describe, expect, it } from '@jest/globals';

import type {
  FleetRecord,
  LaunchTemplateRecord,
  LaunchTemplateVersionRecord,
  UsageSources,
} from '../../shared/domain';
import {
  collectUsage,
  describeUsageRef,
  imageIdsReferencedBySources,
  ssmParametersReferencedBySources,
} from '../../shared/usage';

const none: UsageSources = {
  instances: [],
  launchTemplateVersions: [],
  launchConfigurations: [],
  autoScalingGroups: [],
};

function version(
  over: Partial<LaunchTemplateVersionRecord> & { versionNumber: number },
): LaunchTemplateVersionRecord {
  return { templateId: 'lt-0ab', templateName: 'web', isDefault: false, isLatest: false, ...over };
}

/** Versions 1..4 of lt-0ab: 1 ami-v1, 2 ami-v2, 3 ($Default) ami-v3, 4 ($Latest) ami-v4. */
const versions = [
  version({ versionNumber: 1, imageId: 'ami-v1' }),
  version({ versionNumber: 2, imageId: 'ami-v2' }),
  version({ versionNumber: 3, isDefault: true, imageId: 'ami-v3' }),
  version({ versionNumber: 4, isLatest: true, imageId: 'ami-v4' }),
];
const template: LaunchTemplateRecord = { id: 'lt-0ab', name: 'web', defaultVersion: 3, latestVersion: 4 };

function fleet(over: Partial<FleetRecord> = {}): FleetRecord {
  return {
    id: 'fleet-0ab',
    kind: 'fleet',
    type: 'maintain',
    state: 'active',
    launchTemplateConfigs: [],
    launchSpecificationImageIds: [],
    ...over,
  };
}

const words = (usage: ReturnType<typeof collectUsage>, id: string) => usage.refsFor(id).map(describeUsageRef);

describe('collectUsage: every launch template version', () => {
  it('counts every version of a template read in full, each with its number', () => {
    const usage = collectUsage({ ...none, launchTemplateVersions: versions, launchTemplates: [template] });
    expect([...usage.inUseImageIds].sort()).toEqual(['ami-v1', 'ami-v2', 'ami-v3', 'ami-v4']);
    expect(words(usage, 'ami-v1')).toEqual(['launch template lt-0ab (web) version 1']);
    expect(words(usage, 'ami-v3')).toEqual(['launch template lt-0ab (web) $Default (version 3)']);
    expect(usage.unresolved).toEqual([]);
  });

  it('with the newest N, counts those and $Default, not the older ones', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: versions,
      launchTemplates: [{ ...template, defaultVersion: 1, newestVersionsCounted: 2 }],
    });
    // 3 and 4 are the newest two; 3 is $Default here too.
    expect(usage.inUseImageIds).toEqual(new Set(['ami-v3', 'ami-v4']));
    const oldDefault = collectUsage({
      ...none,
      launchTemplateVersions: [
        version({ versionNumber: 1, isDefault: true, imageId: 'ami-v1' }),
        version({ versionNumber: 2, imageId: 'ami-v2' }),
        version({ versionNumber: 3, imageId: 'ami-v3' }),
        version({ versionNumber: 4, isLatest: true, imageId: 'ami-v4' }),
      ],
      launchTemplates: [{ ...template, defaultVersion: 1, newestVersionsCounted: 2 }],
    });
    expect(oldDefault.inUseImageIds).toEqual(new Set(['ami-v1', 'ami-v3', 'ami-v4']));
  });

  it('reports versions that could not be read as unresolved, naming the template', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: versions.slice(2),
      launchTemplates: [{ ...template, unreadVersions: 'versions 1 to 4 could not be read (Throttling)' }],
    });
    expect(usage.unresolved).toEqual([
      {
        kind: 'launch-template',
        resourceId: 'lt-0ab',
        message: 'launch template lt-0ab (web): versions 1 to 4 could not be read (Throttling)',
      },
    ]);
  });

  it('a version that names an SSM parameter resolves through it, like $Default does', () => {
    const usage = collectUsage(
      {
        ...none,
        launchTemplateVersions: [
          version({ versionNumber: 1, imageId: 'resolve:ssm:/golden/old' }),
          version({ versionNumber: 2, isDefault: true, isLatest: true, imageId: 'ami-v2' }),
        ],
        launchTemplates: [{ ...template, defaultVersion: 2, latestVersion: 2 }],
      },
      { ssmParameters: new Map([['/golden/old', 'ami-old']]) },
    );
    expect(words(usage, 'ami-old')).toEqual([
      'launch template lt-0ab (web) version 1 via SSM parameter /golden/old',
    ]);
  });
});

describe('collectUsage: fleets', () => {
  it('an EC2 Fleet uses the version it pins and the AMIs its overrides name', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: versions,
      fleets: [
        fleet({
          launchTemplateConfigs: [
            { template: { templateId: 'lt-0ab', version: '2' }, overrideImageIds: ['ami-override'] },
          ],
        }),
      ],
    });
    expect(words(usage, 'ami-v2')).toEqual([
      'EC2 fleet fleet-0ab (maintain, launch template lt-0ab (web) version 2)',
    ]);
    expect(words(usage, 'ami-override')).toEqual([
      'EC2 fleet fleet-0ab (maintain, launch template lt-0ab override)',
    ]);
  });

  it('a Spot Fleet uses its launch specifications and its template by name at $Latest', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: versions,
      fleets: [
        fleet({
          id: 'sfr-1',
          kind: 'spot-fleet',
          type: 'request',
          state: 'submitted',
          launchSpecificationImageIds: ['ami-spec'],
          launchTemplateConfigs: [
            { template: { templateName: 'web', version: '$Latest' }, overrideImageIds: [] },
          ],
        }),
      ],
    });
    expect(words(usage, 'ami-spec')).toEqual(['Spot Fleet request sfr-1 (request, launch specification)']);
    expect(words(usage, 'ami-v4')).toContain(
      'Spot Fleet request sfr-1 (request, launch template lt-0ab (web) $Latest (version 4))',
    );
  });

  it.each([
    ['fleet', 'deleted'],
    ['fleet', 'deleted_running'],
    ['fleet', 'deleted_terminating'],
    ['fleet', 'failed'],
    ['spot-fleet', 'cancelled'],
    ['spot-fleet', 'cancelled_running'],
    ['spot-fleet', 'cancelled_terminating'],
  ] as const)('a %s in state %s launches nothing more: not a use', (kind, state) => {
    const usage = collectUsage({
      ...none,
      fleets: [fleet({ kind, state, launchSpecificationImageIds: ['ami-x'] })],
    });
    expect(usage.inUseImageIds.size).toBe(0);
    expect(usage.unresolved).toEqual([]);
  });

  it('an instant fleet is not a use (its instances are); a state it does not know is', () => {
    const instant = collectUsage({
      ...none,
      fleets: [fleet({ type: 'instant', launchSpecificationImageIds: ['ami-x'] })],
    });
    expect(instant.inUseImageIds.size).toBe(0);
    const unknown = collectUsage({
      ...none,
      fleets: [fleet({ state: 'pausing', launchSpecificationImageIds: ['ami-x'] })],
    });
    expect(unknown.inUseImageIds).toEqual(new Set(['ami-x']));
  });

  it('reports a fleet version that was not read, and a launch specification without an AMI id', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: versions,
      fleets: [
        fleet({
          launchTemplateConfigs: [{ template: { templateId: 'lt-0ab', version: '9' }, overrideImageIds: [] }],
        }),
        fleet({ id: 'sfr-2', kind: 'spot-fleet', launchSpecificationImageIds: [''] }),
      ],
    });
    expect(usage.unresolved.map((u) => u.message)).toEqual([
      'EC2 fleet fleet-0ab: launch template lt-0ab version 9: expected exactly one such version among the versions read, found 0',
      'Spot Fleet request sfr-2 launch specification: no image id was read for it, so the AMI it uses is unknown (expected ami-...)',
    ]);
    expect(usage.unresolved.map((u) => u.kind)).toEqual(['fleet', 'spot-fleet']);
  });
});

describe('collectUsage: Spot instance requests and SSM parameters', () => {
  it.each(['open', 'active', 'disabled'])('a Spot instance request that is %s uses its AMI', (state) => {
    const usage = collectUsage({
      ...none,
      spotInstanceRequests: [{ id: 'sir-1', state, type: 'persistent', imageId: 'ami-spot' }],
    });
    expect(words(usage, 'ami-spot')).toEqual([`Spot instance request sir-1 (${state}, persistent)`]);
  });

  it.each(['closed', 'cancelled', 'failed'])('a %s Spot instance request does not', (state) => {
    const usage = collectUsage({
      ...none,
      spotInstanceRequests: [{ id: 'sir-1', state, type: 'one-time', imageId: 'ami-spot' }],
    });
    expect(usage.inUseImageIds.size).toBe(0);
  });

  it('an aws:ec2:image parameter uses the AMI it holds; one not read or not an AMI id is unresolved', () => {
    const usage = collectUsage({
      ...none,
      imageParameters: [
        { name: '/golden/web', value: 'ami-golden' },
        { name: '/golden/lost' },
        { name: '/golden/odd', value: 'resolve:ssm:/golden/web' },
      ],
    });
    expect(words(usage, 'ami-golden')).toEqual(['SSM parameter /golden/web (data type aws:ec2:image)']);
    expect(usage.unresolved.map((u) => [u.kind, u.resourceId])).toEqual([
      ['ssm-parameter', '/golden/lost'],
      ['ssm-parameter', '/golden/odd'],
    ]);
    expect(usage.unresolved[0]!.message).toContain('its value could not be read');
    expect(usage.unresolved[1]!.message).toContain('not an AMI id');
  });

  it('the ids to describe and the SSM names to read include fleets and Spot requests', () => {
    const sources: UsageSources = {
      ...none,
      fleets: [
        fleet({
          launchSpecificationImageIds: ['resolve:ssm:/spec'],
          launchTemplateConfigs: [
            { template: { templateId: 'lt-x', version: '1' }, overrideImageIds: ['ami-o'] },
          ],
        }),
      ],
      spotInstanceRequests: [{ id: 'sir-1', state: 'open', type: 'one-time', imageId: 'ami-s' }],
      imageParameters: [{ name: '/p', value: 'ami-p' }],
    };
    expect(ssmParametersReferencedBySources(sources)).toEqual(['/spec']);
    expect(imageIdsReferencedBySources(sources, { ssmParameters: new Map([['/spec', 'ami-spec']]) })).toEqual(
      ['ami-o', 'ami-p', 'ami-s', 'ami-spec'],
    );
  });
});
