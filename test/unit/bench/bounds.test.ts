import { describe, expect, it } from '@jest/globals';

import {
  addBounds,
  batches,
  cleanupLowerBound,
  pages,
  recoveryLowerBound,
  scaleLowerBound,
  databaseLowerBound,
  selfHealLowerBound,
  taggerLowerBound,
  total,
} from '../../../bench/bounds';
import { simulatedMs } from '../../../bench/measure';
import type { RequestEntry } from '../../../sandbox/requests';

describe('pages and batches', () => {
  it('a Describe call is made even for an empty account; writes are not', () => {
    expect(pages(0, 1000)).toBe(1);
    expect(pages(1000, 1000)).toBe(1);
    expect(pages(1001, 1000)).toBe(2);
    expect(batches(0, 1000)).toBe(0);
    expect(batches(2500, 1000)).toBe(3);
  });

  it('refuses counts that are not whole numbers, naming the value', () => {
    expect(() => pages(-1, 1000)).toThrow('items must be a whole number >= 0, got -1');
    expect(() => batches(10, 0)).toThrow('batch must be >= 1, got 0');
  });
});

describe('taggerLowerBound', () => {
  const shape = {
    ownedImages: 100_000,
    liveInstances: 100_000,
    templateVersions: 750,
    launchConfigurations: 100,
    groups: 250,
    ownedInUse: 50_500,
    foreignInUse: 5,
  };

  it('reads every API at its largest page and writes two tag sets in batches of 1000', () => {
    const bound = taggerLowerBound(shape);
    expect(bound['ec2:DescribeImages']).toBe(100 + 1); // owned pages + one filter call for foreign AMIs
    expect(bound['ec2:DescribeInstances']).toBe(100);
    expect(bound['ec2:DescribeLaunchTemplateVersions']).toBe(4); // 750 / 200
    expect(bound['autoscaling:DescribeAutoScalingGroups']).toBe(3); // 250 / 100
    expect(bound['ec2:CreateTags']).toBe(51 + 50); // 50,500 in use + 49,500 not
    // Plus one call each, even when empty: DescribeLaunchTemplates, DescribeFleets,
    // DescribeSpotFleetRequests, DescribeSpotInstanceRequests and SSM DescribeParameters.
    expect(total(bound)).toBe(1 + 101 + 100 + 4 + 1 + 3 + 101 + 1 + 5);
  });

  it('counts the usage signals beyond instances, templates and groups', () => {
    const bound = taggerLowerBound({
      ...shape,
      launchTemplates: 450,
      olderTemplateVersions: { templates: 3, versions: 900 },
      fleets: 1001,
      spotFleetRequests: 2,
      spotInstanceRequests: 2500,
      imageParameters: 101,
    });
    expect(bound['ec2:DescribeLaunchTemplates']).toBe(3); // 450 / 200
    // 4 for $Default/$Latest, then per template: 900 versions over 3 templates take at least 5 pages.
    expect(bound['ec2:DescribeLaunchTemplateVersions']).toBe(4 + 5);
    expect(bound['ec2:DescribeFleets']).toBe(2);
    expect(bound['ec2:DescribeSpotFleetRequests']).toBe(1);
    expect(bound['ec2:DescribeSpotInstanceRequests']).toBe(3);
    expect(bound['ssm:DescribeParameters']).toBe(3); // 101 / 50
    expect(bound['ssm:GetParameters']).toBe(11); // 101 / 10
    expect(taggerLowerBound(shape)['ssm:GetParameters']).toBeUndefined(); // no parameters, no call
  });

  it('takes the cheaper way to write two tag sets when it is cheaper', () => {
    // 1 in use, 999 not: split = 1 + 1; "runtime on all, LastUsed on used" = 1 + 1 as well.
    expect(taggerLowerBound({ ...shape, ownedImages: 1000, ownedInUse: 1 })['ec2:CreateTags']).toBe(2);
    // 1500 in use of 2000: split = 2 + 1 = 3; all + used = 2 + 2 = 4.
    expect(taggerLowerBound({ ...shape, ownedImages: 2000, ownedInUse: 1500 })['ec2:CreateTags']).toBe(3);
  });
});

describe('cleanupLowerBound and scaleLowerBound', () => {
  it('one DeregisterImage per AMI, one DeleteSnapshot per snapshot, one mark (CreateTags) per AMI', () => {
    const bound = cleanupLowerBound({
      ownedImages: 2200,
      liveInstances: 100,
      templateVersions: 0,
      launchConfigurations: 0,
      groups: 0,
      foreignInUse: 0,
      snapshotsMarked: 30,
      snapshotsLookedUp: 500,
      deregistered: 250,
      snapshotsDeleted: 500,
    });
    expect(bound['ec2:DeregisterImage']).toBe(250);
    expect(bound['ec2:DeleteSnapshot']).toBe(500);
    // Each AMI's mark carries that AMI's id as its value, and one CreateTags writes one value.
    expect(bound['ec2:CreateTags']).toBe(250);
    // One page of marked snapshots, and the 500 snapshots of the deleted AMIs in 200s (not the 2200 AMIs').
    expect(bound['ec2:DescribeSnapshots']).toBe(1 + 3);
    expect(bound['ec2:DescribeImageAttribute']).toBeUndefined();
    // The inventory's page of instances, and the last look before deregistering: 250 AMIs in 10s.
    expect(bound['ec2:DescribeInstances']).toBe(1 + 25);
    // The Recycle Bin rules, once a run: one ListRules per type, and no rule to GetRule.
    expect(bound['rbin:ListRules']).toBe(2);
    expect(bound['rbin:GetRule']).toBeUndefined();
  });

  it('reads the Recycle Bin rules once a run: a ListRules page per type per 1000 rules, a GetRule per rule', () => {
    const bound = cleanupLowerBound({
      ownedImages: 1,
      liveInstances: 0,
      templateVersions: 0,
      launchConfigurations: 0,
      groups: 0,
      foreignInUse: 0,
      snapshotsMarked: 0,
      snapshotsLookedUp: 0,
      deregistered: 0,
      snapshotsDeleted: 0,
      recycleBinRules: { images: 1001, snapshots: 3 },
    });
    expect(bound['rbin:ListRules']).toBe(2 + 1);
    expect(bound['rbin:GetRule']).toBe(1004);
  });

  it('counts one DescribeImageAttribute per deleted AMI when the run reads launch permissions', () => {
    const shape = {
      ownedImages: 10,
      liveInstances: 0,
      templateVersions: 0,
      launchConfigurations: 0,
      groups: 0,
      foreignInUse: 0,
      snapshotsMarked: 0,
      snapshotsLookedUp: 14,
      deregistered: 7,
      snapshotsDeleted: 14,
    };
    expect(cleanupLowerBound({ ...shape, readsLaunchPermissions: true })['ec2:DescribeImageAttribute']).toBe(
      7,
    );
  });

  it('a run that deletes nothing reads only the marked snapshots: one DescribeSnapshots per 1000', () => {
    const shape = {
      ownedImages: 10_000,
      liveInstances: 0,
      templateVersions: 0,
      launchConfigurations: 0,
      groups: 0,
      foreignInUse: 0,
      deregistered: 0,
      snapshotsDeleted: 0,
      snapshotsLookedUp: 0,
    };
    expect(cleanupLowerBound({ ...shape, snapshotsMarked: 0 })['ec2:DescribeSnapshots']).toBe(1);
    expect(cleanupLowerBound({ ...shape, snapshotsMarked: 2500 })['ec2:DescribeSnapshots']).toBe(3);
  });

  it('one UpdateAutoScalingGroup per group, stops in the fleet batch size', () => {
    const bound = scaleLowerBound({
      groups: 300,
      groupsScaled: 300,
      instances: 3000,
      instancesStopped: 3000,
      stopBatch: 100,
    });
    expect(bound['autoscaling:UpdateAutoScalingGroup']).toBe(300);
    expect(bound['ec2:StopInstances']).toBe(30);
    expect(bound['ec2:CreateTags']).toBe(6);
    // The idle-cost report reads the region's Elastic IPs once, however many there are.
    expect(bound['ec2:DescribeAddresses']).toBe(1);
  });

  it('counts every database call: pages of 100 (members included), one stop and two tag writes per database', () => {
    const bound = scaleLowerBound({
      groups: 40,
      groupsScaled: 40,
      instances: 1000,
      instancesStopped: 1000,
      stopBatch: 100,
      dbInstances: 270,
      dbClusters: 30,
      dbClusterMembers: 30,
    });
    expect(bound['rds:DescribeDBInstances']).toBe(3);
    expect(bound['rds:DescribeDBClusters']).toBe(1);
    expect(bound['rds:StopDBInstance']).toBe(270);
    expect(bound['rds:StopDBCluster']).toBe(30);
    expect(bound['rds:AddTagsToResource']).toBe(600);
    // No cluster member, no cluster read; no database, still the one DescribeDBInstances.
    const plain = databaseLowerBound({
      groups: 0,
      groupsScaled: 0,
      instances: 0,
      instancesStopped: 0,
      stopBatch: 100,
    });
    expect(plain).toEqual({
      'rds:DescribeDBInstances': 1,
      'rds:StopDBInstance': 0,
      'rds:StopDBCluster': 0,
      'rds:AddTagsToResource': 0,
    });
  });

  it('adds per-action counts of several runs', () => {
    expect(addBounds({ a: 1, b: 2 }, { b: 3, c: 4 })).toEqual({ a: 1, b: 5, c: 4 });
  });
});

describe('recoveryLowerBound', () => {
  // The bench's three runs over 5,000 opted-in instances of one type (bench/recovery.ts).
  const fleet = { taggedInstances: 5000, instanceTypes: 1 };

  it('a first run: one PutMetricAlarm per alarm (no batch form), nothing to list tags of', () => {
    const bound = recoveryLowerBound({
      ...fleet,
      prefixedAlarms: 0,
      alarmsToWrite: 10_000,
      alarmsToDelete: 0,
    });
    expect(bound['ec2:DescribeInstances']).toBe(5);
    expect(bound['monitoring:DescribeAlarms']).toBe(1);
    expect(bound['monitoring:ListTagsForResource']).toBe(0);
    expect(bound['monitoring:PutMetricAlarm']).toBe(10_000);
    expect(bound['monitoring:DeleteAlarms']).toBe(0);
    expect(total(bound)).toBe(1 + 5 + 1 + 1 + 10_000 + 1);
  });

  it('a steady run reads every fleet alarm and its tags, and writes nothing', () => {
    const bound = recoveryLowerBound({
      ...fleet,
      prefixedAlarms: 10_000,
      alarmsToWrite: 0,
      alarmsToDelete: 0,
    });
    expect(bound['monitoring:DescribeAlarms']).toBe(100);
    expect(bound['monitoring:ListTagsForResource']).toBe(10_000);
    expect(bound['monitoring:PutMetricAlarm']).toBe(0);
    expect(bound['monitoring:DeleteAlarms']).toBe(0);
  });

  it('deletes the alarms of terminated instances 100 names a call', () => {
    const bound = recoveryLowerBound({
      ...fleet,
      prefixedAlarms: 10_000,
      alarmsToWrite: 0,
      alarmsToDelete: 1000,
    });
    expect(bound['monitoring:DeleteAlarms']).toBe(10);
    expect(
      recoveryLowerBound({ ...fleet, prefixedAlarms: 10_000, alarmsToWrite: 0, alarmsToDelete: 1001 })[
        'monitoring:DeleteAlarms'
      ],
    ).toBe(11);
  });

  it('asks DescribeInstanceTypes 100 types a call', () => {
    const shape = { taggedInstances: 10, prefixedAlarms: 0, alarmsToWrite: 0, alarmsToDelete: 0 };
    expect(recoveryLowerBound({ ...shape, instanceTypes: 100 })['ec2:DescribeInstanceTypes']).toBe(1);
    expect(recoveryLowerBound({ ...shape, instanceTypes: 101 })['ec2:DescribeInstanceTypes']).toBe(2);
  });
});

describe('selfHealLowerBound', () => {
  // The bench's two scheduled runs over 1,000 groups of one, each with its Elastic IP and volume (bench/self-heal.ts).
  const reads = { groups: 1000, optedInGroups: 1000, addresses: 1000, volumes: 1000 };

  it('a first run: one hook, one association and one attachment per group (no batch forms)', () => {
    const bound = selfHealLowerBound({
      ...reads,
      hooksToWrite: 1000,
      addressesToAssociate: 1000,
      volumesToAttach: 1000,
    });
    expect(bound['autoscaling:DescribeAutoScalingGroups']).toBe(10);
    expect(bound['autoscaling:DescribeLifecycleHooks']).toBe(1000);
    expect(bound['ec2:DescribeAddresses']).toBe(5);
    expect(bound['ec2:DescribeVolumes']).toBe(5);
    expect(bound['autoscaling:PutLifecycleHook']).toBe(1000);
    expect(bound['ec2:AssociateAddress']).toBe(1000);
    expect(bound['ec2:AttachVolume']).toBe(1000);
    expect(total(bound)).toBe(1 + 10 + 1000 + 5 + 5 + 3000 + 1);
  });

  it("a steady run still reads every opted-in group's hook, and writes nothing", () => {
    const bound = selfHealLowerBound({
      ...reads,
      hooksToWrite: 0,
      addressesToAssociate: 0,
      volumesToAttach: 0,
    });
    expect(bound['autoscaling:DescribeLifecycleHooks']).toBe(1000);
    expect(bound['autoscaling:PutLifecycleHook']).toBe(0);
    expect(bound['ec2:AssociateAddress']).toBe(0);
    expect(bound['ec2:AttachVolume']).toBe(0);
    expect(total(bound)).toBe(1 + 10 + 1000 + 5 + 5 + 1);
  });

  it('reads addresses and volumes 200 ids a filter, and none when no group names one', () => {
    const writes = { hooksToWrite: 0, addressesToAssociate: 0, volumesToAttach: 0 };
    const at = (n: number) => selfHealLowerBound({ ...reads, ...writes, addresses: n, volumes: n });
    expect(at(200)['ec2:DescribeAddresses']).toBe(1);
    expect(at(201)['ec2:DescribeAddresses']).toBe(2);
    expect(at(201)['ec2:DescribeVolumes']).toBe(2);
    expect(at(0)['ec2:DescribeAddresses']).toBe(0);
    expect(at(0)['ec2:DescribeVolumes']).toBe(0);
  });

  it('pages groups 100 at a time (one call even for none) and reads hooks of opted-in groups only', () => {
    const shape = {
      addresses: 0,
      volumes: 0,
      hooksToWrite: 0,
      addressesToAssociate: 0,
      volumesToAttach: 0,
    };
    const none = selfHealLowerBound({ ...shape, groups: 0, optedInGroups: 0 });
    expect(none['autoscaling:DescribeAutoScalingGroups']).toBe(1);
    expect(total(none)).toBe(3);
    const some = selfHealLowerBound({ ...shape, groups: 101, optedInGroups: 90 });
    expect(some['autoscaling:DescribeAutoScalingGroups']).toBe(2);
    expect(some['autoscaling:DescribeLifecycleHooks']).toBe(90);
  });
});

describe('simulatedMs', () => {
  const entry = (action: string, errorCode?: string): RequestEntry => ({
    seq: 0,
    service: 'ec2',
    action,
    region: 'eu-west-1',
    status: errorCode ? 503 : 200,
    injected: errorCode !== undefined,
    ...(errorCode ? { errorCode } : {}),
  });

  it('waits for refill once the burst is spent, and ignores throttled attempts', () => {
    const specs = [{ service: 'ec2', action: 'CreateTags', burst: 100, refillPerSecond: 10 }];
    const calls = Array.from({ length: 120 }, () => entry('CreateTags'));
    // 100 from the burst, then 20 more at 10 per second.
    expect(simulatedMs(calls, specs, 0)).toBeCloseTo(2000, 5);
    expect(simulatedMs([...calls, entry('CreateTags', 'RequestLimitExceeded')], specs, 0)).toBeCloseTo(
      2000,
      5,
    );
  });

  it('adds the latency of every answered request', () => {
    expect(simulatedMs([entry('DescribeImages'), entry('DescribeImages')], [], 25)).toBe(50);
  });
});
