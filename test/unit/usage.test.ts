import { describe, expect, it } from '@jest/globals';
import type { AutoScalingGroupRecord, LaunchTemplateVersionRecord, UsageSources } from '../../shared/domain';
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
  return {
    templateId: 'lt-0ab',
    templateName: 'web',
    isDefault: false,
    isLatest: false,
    ...over,
  };
}

function group(over: Partial<AutoScalingGroupRecord>): AutoScalingGroupRecord {
  return {
    name: 'web-asg',
    launchTemplates: [],
    minSize: 1,
    maxSize: 2,
    desiredCapacity: 1,
    tags: {},
    instanceIds: [],
    ...over,
  };
}

/** $Default = 1 (ami-def), $Latest = 3 (ami-latest), 2 pinned only (ami-two). */
const templateVersions = [
  version({ versionNumber: 1, isDefault: true, imageId: 'ami-def' }),
  version({ versionNumber: 2, imageId: 'ami-two' }),
  version({ versionNumber: 3, isLatest: true, imageId: 'ami-latest' }),
];

describe('collectUsage: instances', () => {
  it.each(['pending', 'running', 'stopping', 'stopped', 'shutting-down'])('counts a %s instance', (state) => {
    const usage = collectUsage({ ...none, instances: [{ id: 'i-1', imageId: 'ami-1', state }] });
    expect(usage.inUseImageIds).toEqual(new Set(['ami-1']));
    expect(usage.refsFor('ami-1').map(describeUsageRef)).toEqual([`instance i-1 (${state})`]);
  });

  it('does not count a terminated instance', () => {
    const usage = collectUsage({
      ...none,
      instances: [{ id: 'i-1', imageId: 'ami-1', state: 'terminated' }],
    });
    expect(usage.inUseImageIds.size).toBe(0);
    expect(usage.refsFor('ami-1')).toEqual([]);
  });

  it('reports a live instance without an image id as unresolved, naming the instance', () => {
    const usage = collectUsage({ ...none, instances: [{ id: 'i-1', imageId: '', state: 'running' }] });
    expect(usage.inUseImageIds.size).toBe(0);
    expect(usage.unresolved).toEqual([
      {
        kind: 'instance',
        resourceId: 'i-1',
        message:
          'instance i-1 (running): no image id was read for it, so the AMI it uses is unknown (expected ami-...)',
      },
    ]);
    expect(usage.problems[0]!.message).toContain('cleanup deletes nothing until it is fixed');
  });
});

describe('collectUsage: launch templates', () => {
  it('counts the $Default and $Latest versions, not the others', () => {
    const usage = collectUsage({ ...none, launchTemplateVersions: templateVersions });
    expect([...usage.inUseImageIds].sort()).toEqual(['ami-def', 'ami-latest']);
    expect(usage.refsFor('ami-def').map(describeUsageRef)).toEqual([
      'launch template lt-0ab (web) $Default (version 1)',
    ]);
    expect(usage.refsFor('ami-latest').map(describeUsageRef)).toEqual([
      'launch template lt-0ab (web) $Latest (version 3)',
    ]);
    expect(usage.unresolved).toEqual([]);
  });

  it('reports a $Default version whose image is an SSM parameter as unresolved', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: [
        version({ versionNumber: 1, isDefault: true, isLatest: true, imageId: 'resolve:ssm:/golden/ami' }),
      ],
    });
    expect(usage.inUseImageIds.size).toBe(0);
    expect(usage.unresolved).toHaveLength(2);
    expect(usage.unresolved[0]!.message).toContain('resolve:ssm:/golden/ami is an SSM parameter');
    expect(usage.problems[0]!.message).toContain('cleanup deletes nothing until it is fixed');
  });

  it('resolves an SSM parameter the adapter read, and says so', () => {
    const sources = {
      ...none,
      launchTemplateVersions: [
        version({ versionNumber: 1, isDefault: true, isLatest: true, imageId: 'resolve:ssm:/golden/ami:3' }),
      ],
    };
    expect(ssmParametersReferencedBySources(sources)).toEqual(['/golden/ami:3']);
    const usage = collectUsage(sources, { ssmParameters: new Map([['/golden/ami:3', 'ami-golden']]) });
    expect(usage.unresolved).toEqual([]);
    expect(usage.refsFor('ami-golden').map(describeUsageRef)).toEqual([
      'launch template lt-0ab (web) $Default (version 1) via SSM parameter /golden/ami:3',
      'launch template lt-0ab (web) $Latest (version 1) via SSM parameter /golden/ami:3',
    ]);
  });

  it('an SSM parameter that holds no AMI id stays unresolved, naming the value', () => {
    const usage = collectUsage(
      {
        ...none,
        launchTemplateVersions: [
          version({ versionNumber: 1, isDefault: true, isLatest: true, imageId: 'resolve:ssm:/golden/ami' }),
        ],
      },
      { ssmParameters: new Map([['/golden/ami', 'latest']]) },
    );
    expect(usage.unresolved[0]!.message).toBe(
      'launch template lt-0ab (web) $Default (version 1): SSM parameter /golden/ami holds "latest", not an AMI id (expected ami-...)',
    );
  });

  it('merges a version read twice (as $Default and as pinned by a group)', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: [...templateVersions, version({ versionNumber: 1, imageId: 'ami-def' })],
    });
    expect(usage.unresolved).toEqual([]);
    expect(usage.inUseImageIds).toEqual(new Set(['ami-def', 'ami-latest']));
  });

  it('a version read twice with different images is unresolved', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: [...templateVersions, version({ versionNumber: 2, imageId: 'ami-other' })],
    });
    expect(usage.unresolved.map((u) => u.message)).toEqual([
      'launch template lt-0ab (web) version 2 was read twice with different images (ami-two and ami-other)',
    ]);
  });

  it('reports a template whose $Default version was not read as unresolved', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: [version({ versionNumber: 3, isLatest: true, imageId: 'ami-latest' })],
    });
    expect(usage.unresolved.map((u) => u.message)).toEqual([
      'launch template lt-0ab (web): expected exactly one $Default version among the versions read, found 0',
    ]);
  });

  it('ignores a version that sets no image', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: [version({ versionNumber: 1, isDefault: true, isLatest: true })],
    });
    expect(usage.inUseImageIds.size).toBe(0);
    expect(usage.unresolved).toEqual([]);
  });
});

describe('collectUsage: launch configurations and groups', () => {
  it('counts every launch configuration', () => {
    const usage = collectUsage({ ...none, launchConfigurations: [{ name: 'lc-old', imageId: 'ami-lc' }] });
    expect(usage.refsFor('ami-lc').map(describeUsageRef)).toEqual(['launch configuration lc-old']);
  });

  it('counts the launch configuration a group names, even when scaled to zero', () => {
    const usage = collectUsage({
      ...none,
      launchConfigurations: [{ name: 'lc-old', imageId: 'ami-lc' }],
      autoScalingGroups: [group({ launchConfigurationName: 'lc-old', minSize: 0, desiredCapacity: 0 })],
    });
    expect(usage.refsFor('ami-lc').map(describeUsageRef)).toEqual([
      'auto scaling group web-asg (launch configuration lc-old, scaled to zero)',
      'launch configuration lc-old',
    ]);
  });

  it('a group scaled to zero with a pinned template version still uses that AMI', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: templateVersions,
      autoScalingGroups: [
        group({ desiredCapacity: 0, minSize: 0, launchTemplates: [{ templateId: 'lt-0ab', version: '2' }] }),
      ],
    });
    expect(usage.refsFor('ami-two').map(describeUsageRef)).toEqual([
      'auto scaling group web-asg (launch template lt-0ab (web) version 2, scaled to zero)',
    ]);
  });

  it('resolves a template named by name, and $Latest', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: templateVersions,
      autoScalingGroups: [group({ launchTemplates: [{ templateName: 'web', version: '$Latest' }] })],
    });
    expect(usage.refsFor('ami-latest').map(describeUsageRef)).toContain(
      'auto scaling group web-asg (launch template lt-0ab (web) $Latest (version 3))',
    );
  });

  it('treats a missing version as $Default, as AWS does', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: templateVersions,
      autoScalingGroups: [group({ launchTemplates: [{ templateId: 'lt-0ab', version: '' }] })],
    });
    expect(usage.refsFor('ami-def').map(describeUsageRef)).toContain(
      'auto scaling group web-asg (launch template lt-0ab (web) $Default (version 1))',
    );
  });

  it('counts every mixed-instances override template', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: [
        ...templateVersions,
        version({
          templateId: 'lt-arm',
          templateName: 'web-arm',
          versionNumber: 4,
          isDefault: true,
          isLatest: true,
          imageId: 'ami-arm',
        }),
      ],
      autoScalingGroups: [
        group({
          launchTemplates: [
            { templateId: 'lt-0ab', version: '2' },
            { templateId: 'lt-arm', version: '$Default' },
          ],
        }),
      ],
    });
    expect(usage.refsFor('ami-two')).toHaveLength(1);
    expect(usage.refsFor('ami-arm').map((r) => r.kind)).toEqual([
      'auto-scaling-group',
      'launch-template',
      'launch-template',
    ]);
  });

  it('reports a pinned version that was not read, naming the group and the version', () => {
    const usage = collectUsage({
      ...none,
      launchTemplateVersions: templateVersions,
      autoScalingGroups: [group({ launchTemplates: [{ templateId: 'lt-0ab', version: '7' }] })],
    });
    expect(usage.unresolved).toEqual([
      {
        kind: 'auto-scaling-group',
        resourceId: 'web-asg',
        message:
          'auto scaling group web-asg: launch template lt-0ab version 7: expected exactly one such version among the versions read, found 0',
      },
    ]);
  });

  it('reports a template that was not read, a launch configuration that was not read, and a bad version', () => {
    const usage = collectUsage({
      ...none,
      autoScalingGroups: [
        group({ name: 'a', launchTemplates: [{ templateName: 'gone', version: '$Default' }] }),
        group({ name: 'b', launchConfigurationName: 'lc-gone' }),
        group({ name: 'c', launchTemplates: [{ templateId: 'lt-0ab', version: 'newest' }] }),
        group({ name: 'd' }),
      ],
      launchTemplateVersions: templateVersions,
    });
    expect(usage.unresolved.map((u) => u.message)).toEqual([
      'auto scaling group a: launch template gone version $Default: the template was not among the launch templates read',
      'auto scaling group b: launch configuration lc-gone was not among the launch configurations read',
      'auto scaling group c: launch template lt-0ab version newest: expected $Default, $Latest or a version number',
      'auto scaling group d: names neither a launch configuration nor a launch template',
    ]);
  });
});

describe('imageIdsReferencedBySources', () => {
  it('lists each AMI something uses once, sorted', () => {
    expect(
      imageIdsReferencedBySources({
        ...none,
        instances: [
          { id: 'i-2', imageId: 'ami-b', state: 'running' },
          { id: 'i-3', imageId: 'ami-b', state: 'stopped' },
          { id: 'i-4', imageId: 'ami-gone', state: 'terminated' },
        ],
        launchConfigurations: [{ name: 'lc', imageId: 'ami-a' }],
      }),
    ).toEqual(['ami-a', 'ami-b']);
  });
});
