/**
 * Safety review of the AMI deletion path: each test pins down one way an AMI or snapshot could be
 * deleted when it should not be, or a tag could vouch for something the run did not see.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { applyCleanup } from '../../../shared/aws/cleanup';
import { taggerWrites } from '../../../shared/aws/tagging';
import { planTagging } from '../../../shared/plan/tagging';
import { NOW, image, usageOf } from '../../helpers/plan-fixtures';

import { awsError, fakeClients, plannedDeletion, type Call } from '../../helpers/scripted-ec2';

const deletion = plannedDeletion;

const deletedSnapshots = (calls: Call[]) =>
  calls.filter((c) => c.action === 'DeleteSnapshot').map((c) => c.input.SnapshotId);

describe('tagger: LastUsedRuntime only vouches for AMIs whose usage the run could read', () => {
  // A launch configuration names its image through an SSM parameter the run could not read: the
  // AMI behind it may be ami-idle, whose LastUsed then was not refreshed.
  const usage = usageOf({
    instances: [{ id: 'i-1', imageId: 'ami-used', state: 'running' }],
    launchConfigurations: [{ name: 'lc-ssm', imageId: 'resolve:ssm:/golden/unreadable' }],
  });
  const plan = planTagging({
    images: [image('ami-used'), image('ami-idle')],
    usage,
    now: NOW,
    freshnessMinutes: 60,
  });

  it('does not stamp LastUsedRuntime on an AMI that an unresolved reference could be using', () => {
    expect(plan.runtime).toEqual(['ami-used']);
    expect(plan.lastUsed).toEqual(['ami-used']);
    const written = taggerWrites(plan.lastUsed, plan.runtime, NOW, plan.observedSince).flatMap(
      (w) => w.resourceIds,
    );
    expect(written).not.toContain('ami-idle');
  });

  it('says why ami-idle was not stamped', () => {
    const d = plan.decisions.find((x) => x.imageId === 'ami-idle');
    expect(d).toEqual({
      imageId: 'ami-idle',
      action: 'skip',
      reason:
        'not in use as far as this run could tell, but 1 usage reference(s) could not be resolved and could ' +
        'point at it: LastUsedRuntime not refreshed, LastUsed left as it was',
    });
  });

  it('still stamps every taggable AMI when all references resolve', () => {
    const clean = planTagging({
      images: [image('ami-used'), image('ami-idle')],
      usage: usageOf({ instances: [{ id: 'i-1', imageId: 'ami-used', state: 'running' }] }),
      now: NOW,
      freshnessMinutes: 60,
    });
    expect(clean.runtime).toEqual(['ami-idle', 'ami-used']);
  });
});

describe('applyCleanup: a snapshot shared by several planned AMIs', () => {
  // ami-a and ami-b share snap-shared; the plan gave it to ami-a (the first in the plan).
  const work = {
    deletions: [deletion('ami-a', ['snap-shared']), deletion('ami-b', ['snap-shared', 'snap-b'], ['snap-b'])],
    pendingSnapshotDeletions: [],
  };

  it('is not deleted while DescribeImageReferences keeps the other AMI registered', async () => {
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DescribeImageReferences'
        ? {
            ImageReferences: [
              { ImageId: 'ami-b', ResourceType: 'ec2:Instance', Arn: 'arn:aws:ec2:::instance/i-9' },
            ],
          }
        : {},
    );
    const result = await applyCleanup(clients, work, { hasTime: () => true, checkImageReferences: true });
    expect(result.deregistered).toEqual(['ami-a']);
    expect(deletedSnapshots(calls)).not.toContain('snap-shared');
    // Marked for ami-a before it was deregistered: a later run finds it and keeps it while ami-b exists.
    expect(calls).toContainEqual({
      action: 'CreateTags',
      input: { Resources: ['snap-shared'], Tags: [{ Key: 'AutoCleanupPendingDeletion', Value: 'ami-a' }] },
    });
    expect(result.snapshotsDeferred).toEqual(['snap-shared']);
  });

  it('is not deleted when the other AMI could not be deregistered', async () => {
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DeregisterImage' && c.input.ImageId === 'ami-b' ? awsError('UnauthorizedOperation') : {},
    );
    const result = await applyCleanup(clients, work, {
      hasTime: () => true,
      checkImageReferences: false,
      concurrency: 1,
    });
    expect(deletedSnapshots(calls)).not.toContain('snap-shared');
    expect(result.deregistered).toEqual(['ami-a']);
  });

  it('is deleted once every AMI behind it is deregistered', async () => {
    const { clients, calls } = fakeClients(() => ({}));
    const result = await applyCleanup(
      clients,
      { deletions: [...work.deletions].reverse(), pendingSnapshotDeletions: [] },
      { hasTime: () => true, checkImageReferences: false, concurrency: 1 },
    );
    // ami-b first, then ami-a: by the time ami-a's snapshot is deleted, ami-b is gone.
    expect(result.deregistered).toEqual(['ami-b', 'ami-a']);
    expect(deletedSnapshots(calls)).toEqual(['snap-b', 'snap-shared']);
  });
});

describe('applyCleanup: a shared snapshot whose AMIs all go in the same run', () => {
  it('is deleted in that run, after the last of them is deregistered', async () => {
    const { clients, calls } = fakeClients(() => ({}));
    const result = await applyCleanup(
      clients,
      {
        deletions: [
          deletion('ami-a', ['snap-shared']),
          deletion('ami-b', ['snap-shared', 'snap-b'], ['snap-b']),
        ],
        pendingSnapshotDeletions: [],
      },
      { hasTime: () => true, checkImageReferences: false, concurrency: 1 },
    );
    const order = calls.map((c) =>
      `${c.action} ${String(c.input.ImageId ?? c.input.SnapshotId ?? '')}`.trim(),
    );
    expect(order.indexOf('DeleteSnapshot snap-shared')).toBeGreaterThan(
      order.indexOf('DeregisterImage ami-b'),
    );
    expect(result.snapshotsDeleted.sort()).toEqual(['snap-b', 'snap-shared']);
    expect(result.snapshotsDeferred).toEqual([]);
  });
});

describe('applyCleanup: a failed DescribeImageReferences is "unknown", not "no references"', () => {
  const eleven = Array.from({ length: 11 }, (_, i) => deletion(`ami-${i}`, []));

  it.each(['InvalidAMIID.NotFound', 'RequestLimitExceeded', 'InternalError', 'UnauthorizedOperation'])(
    'keeps the AMIs it could not ask about (%s) and still asks for the next ten',
    async (code) => {
      const { clients, calls } = fakeClients((c) => {
        if (c.action !== 'DescribeImageReferences') return {};
        return (c.input.ImageIds as string[]).includes('ami-0') ? awsError(code) : { ImageReferences: [] };
      });
      const result = await applyCleanup(
        clients,
        { deletions: eleven, pendingSnapshotDeletions: [] },
        { hasTime: () => true, checkImageReferences: true },
      );
      expect(calls.filter((c) => c.action === 'DescribeImageReferences')).toHaveLength(2);
      expect(result.deregistered).toEqual(['ami-10']);
      expect(result.failures.map((f) => [f.resourceId, f.action])).toEqual(
        eleven.slice(0, 10).map((d) => [d.image.id, 'DescribeImageReferences']),
      );
      expect(result.failures[0]!.message).toContain(code);
      expect(result.incomplete).toBe(false);
    },
  );
});

describe('applyCleanup: DeregisterImage answers that the AMI is unavailable', () => {
  it('does not take InvalidAMIID.Unavailable for "gone": the snapshots stay, marked, for a later run', async () => {
    // EC2 documents this code for an AMI that is deregistered OR not in a launchable state: the AMI
    // may still be registered (e.g. disabled since the plan) and still need its snapshots.
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DeregisterImage' ? awsError('InvalidAMIID.Unavailable') : {},
    );
    const result = await applyCleanup(
      clients,
      { deletions: [deletion('ami-1', ['snap-1'])], pendingSnapshotDeletions: [] },
      { hasTime: () => true, checkImageReferences: false },
    );
    expect(calls.map((c) => c.action)).toEqual(['DescribeInstances', 'CreateTags', 'DeregisterImage']);
    expect(result.deregistered).toEqual([]);
    expect(result.failures).toEqual([
      expect.objectContaining({ resourceId: 'ami-1', action: 'DeregisterImage' }),
    ]);
  });

  it('takes InvalidAMIID.NotFound for "gone" and deletes the snapshots it marked', async () => {
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DeregisterImage' ? awsError('InvalidAMIID.NotFound') : {},
    );
    const result = await applyCleanup(
      clients,
      { deletions: [deletion('ami-1', ['snap-1'])], pendingSnapshotDeletions: [] },
      { hasTime: () => true, checkImageReferences: false },
    );
    expect(deletedSnapshots(calls)).toEqual(['snap-1']);
    expect(result.deregistered).toEqual(['ami-1']);
  });
});

describe('applyCleanup property: no snapshot is deleted while an AMI behind it is still registered', () => {
  it('holds for random plans with shared snapshots, kept, failing and unreached AMIs, any concurrency', async () => {
    const snapshotPool = ['snap-0', 'snap-1', 'snap-2', 'snap-3', 'snap-4', 'snap-5'];
    const planArb = fc.record({
      images: fc.array(
        fc.record({
          snapshots: fc.subarray(snapshotPool, { minLength: 0, maxLength: 3 }),
          outcome: fc.constantFrom('ok', 'referenced', 'deregister-fails', 'not-found', 'unavailable'),
        }),
        { minLength: 1, maxLength: 14 },
      ),
      concurrency: fc.integer({ min: 1, max: 5 }),
      budgetSteps: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(planArb, async ({ images, concurrency, budgetSteps }) => {
        // The plan gives each snapshot to the first planned AMI behind it, as planCleanup does.
        const assigned = new Set<string>();
        const deletions = images.map((spec, i) => {
          const owned = spec.snapshots.filter((s) => !assigned.has(s));
          owned.forEach((s) => assigned.add(s));
          return deletion(`ami-${i}`, spec.snapshots, owned);
        });
        const outcome = new Map(images.map((spec, i) => [`ami-${i}`, spec.outcome]));
        const registered = new Set(deletions.map((d) => d.image.id));
        const violations: string[] = [];
        let steps = 0;
        const { clients } = fakeClients((c) => {
          if (c.action === 'DescribeImageReferences') {
            return {
              ImageReferences: (c.input.ImageIds as string[])
                .filter((id) => outcome.get(id) === 'referenced')
                .map((id) => ({ ImageId: id, ResourceType: 'ec2:Instance', Arn: `arn:${id}` })),
            };
          }
          if (c.action === 'DeregisterImage') {
            const id = c.input.ImageId as string;
            const o = outcome.get(id);
            if (o === 'deregister-fails') return awsError('UnauthorizedOperation');
            if (o === 'unavailable') return awsError('InvalidAMIID.Unavailable');
            registered.delete(id);
            return o === 'not-found' ? awsError('InvalidAMIID.NotFound') : {};
          }
          if (c.action === 'DeleteSnapshot') {
            const s = c.input.SnapshotId as string;
            const users = deletions.filter(
              (d) => registered.has(d.image.id) && d.image.snapshotIds.includes(s),
            );
            if (users.length > 0)
              violations.push(`${s} deleted while ${users.map((d) => d.image.id).join(',')} registered`);
          }
          return {};
        });
        await applyCleanup(
          clients,
          { deletions, pendingSnapshotDeletions: [] },
          {
            hasTime: () => budgetSteps === undefined || ++steps <= budgetSteps,
            checkImageReferences: true,
            concurrency,
          },
        );
        expect(violations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
