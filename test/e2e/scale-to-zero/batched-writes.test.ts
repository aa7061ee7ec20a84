/**
 * Scale-to-zero's tag writes, batched (issue 5): the real handler against the sandbox, counting the
 * requests it makes, and what a failed batch of tag writes leaves behind for the next run.
 */
import { describe, expect, it } from '@jest/globals';

import { createClients, destroyClients } from '../../../shared/aws/clients';
import { applyScaleActions, GROUP_TAG_BATCH } from '../../../shared/aws/scale';
import type { ScaleAction } from '../../../shared/plan/scale';
import { SCALE_REGION as REGION, useScaleFixture } from '../../helpers/scale-fixture';

// Monday 23 Nov 2026 18:30 Berlin is the off transition; Tuesday 08:00 Berlin the on transition.
const EVENING = '2026-11-23T17:30:00Z';
const OFF_AT = '2026-11-23T17:30:00Z';
const MORNING = '2026-11-24T07:00:00Z';
const ON_AT = '2026-11-24T07:00:00Z';

const fx = useScaleFixture();
const { region, sizes, summaries } = fx;
const runAt = (at: string) => fx.runAt(at);

/** A group's tags as key → value (the sandbox also keeps PropagateAtLaunch). */
const group = (name: string) => {
  const g = region().getAutoScalingGroup(name)!;
  return { tags: Object.fromEntries(Object.entries(g.tags).map(([k, t]) => [k, t.value])) };
};

/** Groups of different sizes, so each group's saved capacity differs from its neighbours'. */
function seedGroups(count: number): { name: string; size: { min: number; desired: number; max: number } }[] {
  const out = [];
  for (let n = 0; n < count; n++) {
    const size = { min: n % 3, desired: (n % 3) + 1, max: (n % 3) + 3 };
    const name = `dev-${n}`;
    fx.addOptedInGroup(name, size);
    out.push({ name, size });
  }
  return out;
}

function seedInstances(count: number): string[] {
  const image = region().addImage({ name: 'dev-base' });
  return Array.from(
    { length: count },
    () => region().addInstance({ imageId: image.id, tags: { ScaleToZero: 'true' } }).id,
  );
}

/** Sequence numbers of one action's requests, in the order they were made. */
const seqs = (service: string, action: string) =>
  fx.sandbox.requests
    .all()
    .filter((e) => e.service === service && e.action === action)
    .map((e) => e.seq);

describe('scale-to-zero tag writes, batched', () => {
  it('scales 40 groups and 1,000 instances down with 2 CreateOrUpdateTags and 2 CreateTags, saved sizes first', async () => {
    const groups = seedGroups(40);
    const boxes = seedInstances(1000);
    await runAt(EVENING);

    expect(summaries().at(-1)!).toMatchObject({
      failures: [],
      counts: expect.objectContaining({ groupsScaledToZero: 40, instancesStopped: 1000 }),
    });
    expect(fx.sandbox.requests.counts()).toMatchObject({
      'autoscaling:CreateOrUpdateTags': 2,
      'autoscaling:UpdateAutoScalingGroup': 40,
      'ec2:CreateTags': 2,
      'ec2:StopInstances': 10,
    });
    // One call saved every group's sizes before any group went to 0; the other recorded the
    // transitions after the last update.
    const [save, transition] = seqs('autoscaling', 'CreateOrUpdateTags');
    const updates = seqs('autoscaling', 'UpdateAutoScalingGroup');
    expect(save!).toBeLessThan(Math.min(...updates));
    expect(transition!).toBeGreaterThan(Math.max(...updates));
    const [mark, recorded] = seqs('ec2', 'CreateTags');
    const stops = seqs('ec2', 'StopInstances');
    expect(mark!).toBeLessThan(Math.min(...stops));
    expect(recorded!).toBeGreaterThan(Math.max(...stops));

    for (const g of groups) {
      expect(sizes(g.name)).toEqual({ min: 0, desired: 0, max: 0 });
      expect(group(g.name).tags).toMatchObject({
        ScaleToZeroSavedCapacity: `min=${g.size.min} desired=${g.size.desired} max=${g.size.max}`,
        ScaleToZeroLastTransition: `${OFF_AT} scaled-to-zero max=${g.size.max}`,
      });
    }
    for (const id of boxes) {
      const box = region().getInstance(id)!;
      expect(box.state).toBe('stopped');
      expect(box.tags).toMatchObject({
        ScaleToZeroStoppedAt: EVENING,
        ScaleToZeroLastTransition: `${OFF_AT} stopped=${EVENING}`,
      });
    }

    // The morning: every group back at its own sizes, with one transition call and one DeleteTags.
    fx.sandbox.requests.reset();
    await runAt(MORNING);
    expect(summaries().at(-1)!.counts).toMatchObject({ groupsRestored: 40, instancesStarted: 1000 });
    expect(fx.sandbox.requests.counts()).toMatchObject({
      'autoscaling:CreateOrUpdateTags': 1,
      'autoscaling:DeleteTags': 1,
      'autoscaling:UpdateAutoScalingGroup': 40,
      'ec2:CreateTags': 1,
      'ec2:DeleteTags': 1,
      'ec2:StartInstances': 10,
    });
    for (const g of groups) {
      expect(sizes(g.name)).toEqual(g.size);
      expect(group(g.name).tags.ScaleToZeroSavedCapacity).toBeUndefined();
      expect(group(g.name).tags.ScaleToZeroLastTransition).toBe(ON_AT);
    }
  });

  it(`writes at most ${GROUP_TAG_BATCH} group tags a call: 120 groups take 3 calls each way`, async () => {
    seedGroups(120);
    await runAt(EVENING);
    expect(fx.sandbox.requests.count('autoscaling', 'CreateOrUpdateTags')).toBe(6);
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(120);
    expect(summaries().at(-1)!.counts).toMatchObject({ groupsScaledToZero: 120 });
  });

  it('scales none of the groups whose saved-sizes batch failed, reports each, and scales them on the next run', async () => {
    const groups = seedGroups(60);
    // The first save batch (dev-0 … dev-49) is refused; the second (dev-50 … dev-59) goes through.
    fx.sandbox.faults.add({
      service: 'autoscaling',
      action: 'CreateOrUpdateTags',
      resourceId: 'ScaleToZeroSavedCapacity',
      code: 'ValidationError',
      status: 400,
      message: 'Rejected for the test',
      times: 1,
    });
    await runAt(EVENING);
    const first = summaries().at(-1)!;
    for (const g of groups.slice(0, 50)) {
      expect(sizes(g.name)).toEqual(g.size);
      expect(group(g.name).tags.ScaleToZeroSavedCapacity).toBeUndefined();
      expect(group(g.name).tags.ScaleToZeroLastTransition).toBeUndefined();
      expect(first.failures).toContainEqual({
        resourceId: g.name,
        action: 'CreateOrUpdateTags',
        message: expect.stringContaining('so it was not scaled to 0; the next run tries again'),
      });
    }
    for (const g of groups.slice(50)) expect(sizes(g.name)).toEqual({ min: 0, desired: 0, max: 0 });
    expect(first.failures).toHaveLength(50);
    expect(first.counts).toMatchObject({ groupsScaledToZero: 10 });
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(10);

    await runAt('2026-11-23T17:45:00Z');
    expect(summaries().at(-1)!.failures).toEqual([]);
    for (const g of groups) {
      expect(sizes(g.name)).toEqual({ min: 0, desired: 0, max: 0 });
      expect(group(g.name).tags.ScaleToZeroSavedCapacity).toBe(
        `min=${g.size.min} desired=${g.size.desired} max=${g.size.max}`,
      );
    }
    await runAt(MORNING);
    for (const g of groups) expect(sizes(g.name)).toEqual(g.size);
  });

  it('after a failed transition batch, acts on nothing again and restores nothing it cannot prove it turned off, reporting each run', async () => {
    // Deliberate change: a lost transition write used to be recorded by the next run from the
    // saved sizes and the marker alone; those tags are what anyone may forge, so now the groups
    // and instances stay off and are reported until a person acts.
    const groups = seedGroups(3);
    const boxes = seedInstances(5);
    // The transition writes of both services are refused for the whole evening run (halves
    // included); the saves and markers go through.
    const refused = ['autoscaling', 'ec2'].map((service) =>
      fx.sandbox.faults.add({
        service,
        resourceId: 'ScaleToZeroLastTransition',
        code: service === 'ec2' ? 'InvalidParameterValue' : 'ValidationError',
        status: 400,
        message: 'Rejected for the test',
      }),
    );
    await runAt(EVENING);
    for (const f of refused) fx.sandbox.faults.remove(f.id);
    const first = summaries().at(-1)!;
    for (const g of groups) {
      expect(sizes(g.name)).toEqual({ min: 0, desired: 0, max: 0 });
      expect(group(g.name).tags.ScaleToZeroLastTransition).toBeUndefined();
      expect(first.failures).toContainEqual({
        resourceId: g.name,
        action: 'CreateOrUpdateTags',
        message: expect.stringContaining(
          'scaling to 0 worked, but ScaleToZeroLastTransition could not be written',
        ),
      });
    }
    for (const id of boxes) {
      expect(region().getInstance(id)!.state).toBe('stopped');
      expect(region().getInstance(id)!.tags.ScaleToZeroLastTransition).toBeUndefined();
    }
    // The actions stand and are counted as done; only the bookkeeping failed.
    expect(first.counts).toMatchObject({ groupsScaledToZero: 3, instancesStopped: 5 });

    // Next run: nothing is scaled or stopped again; each group is reported with its tags.
    fx.sandbox.requests.reset();
    await runAt('2026-11-23T17:45:00Z');
    const second = summaries().at(-1)!;
    expect(second.failures).toEqual([]);
    expect(second.counts).toMatchObject({
      groupsScaledToZero: 0,
      instancesStopped: 0,
      transitionsRecorded: 5,
    });
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(0);
    expect(fx.sandbox.requests.count('ec2', 'StopInstances')).toBe(0);
    for (const g of groups) {
      expect(second.skipped).toContainEqual(
        expect.objectContaining({
          resourceId: g.name,
          tag: 'ScaleToZeroSavedCapacity',
          value: `min=${g.size.min} desired=${g.size.desired} max=${g.size.max}`,
          reason: expect.stringContaining('is not backed by ScaleToZeroLastTransition=null'),
        }),
      );
    }

    // The morning: nothing is restored or started on these tags alone, and every run says so.
    for (const at of [MORNING, '2026-11-24T07:15:00Z']) {
      fx.sandbox.requests.reset();
      await runAt(at);
      const run = summaries().at(-1)!;
      expect(run.counts).toMatchObject({ groupsRestored: 0, instancesStarted: 0, skipped: 8 });
      expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(0);
      expect(fx.sandbox.requests.count('ec2', 'StartInstances')).toBe(0);
      for (const id of boxes) {
        expect(region().getInstance(id)!.state).toBe('stopped');
        expect(run.skipped).toContainEqual(
          expect.objectContaining({
            resourceId: id,
            tag: 'ScaleToZeroStoppedAt',
            value: EVENING,
            reason: expect.stringContaining(`ScaleToZeroLastTransition="${OFF_AT}"`),
          }),
        );
      }
    }
    for (const g of groups) expect(sizes(g.name)).toEqual({ min: 0, desired: 0, max: 0 });
  });

  it('a failed transition write in the morning: the groups and instances are on, and stay on without a second restore or start', async () => {
    const groups = seedGroups(3);
    const boxes = seedInstances(5);
    await runAt(EVENING);
    const refused = ['autoscaling', 'ec2'].map((service) =>
      fx.sandbox.faults.add({
        service,
        resourceId: 'ScaleToZeroLastTransition',
        code: service === 'ec2' ? 'InvalidParameterValue' : 'ValidationError',
        status: 400,
      }),
    );
    await runAt(MORNING);
    for (const f of refused) fx.sandbox.faults.remove(f.id);
    for (const g of groups) {
      expect(sizes(g.name)).toEqual(g.size);
      expect(group(g.name).tags.ScaleToZeroSavedCapacity).toBeUndefined();
    }
    for (const id of boxes) expect(region().getInstance(id)!.state).toBe('running');
    fx.sandbox.requests.reset();
    await runAt('2026-11-24T07:15:00Z');
    expect(summaries().at(-1)!.failures).toEqual([]);
    expect(summaries().at(-1)!.counts).toMatchObject({ groupsRestored: 0, instancesStarted: 0, skipped: 0 });
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(0);
    expect(fx.sandbox.requests.count('ec2', 'StartInstances')).toBe(0);
    for (const g of groups) {
      expect(sizes(g.name)).toEqual(g.size);
      expect(group(g.name).tags.ScaleToZeroLastTransition).toBe(ON_AT);
    }
  });

  it('a refused transition batch is retried in halves: one bad group does not leave the others without their record', async () => {
    const groups = seedGroups(3);
    const boxes = seedInstances(5);
    // dev-1 (max 4) is refused for good; the instances' record call is refused once.
    fx.sandbox.faults.add({
      service: 'autoscaling',
      action: 'CreateOrUpdateTags',
      resourceId: `${OFF_AT} scaled-to-zero max=4`,
      code: 'ValidationError',
      status: 400,
    });
    fx.sandbox.faults.add({
      service: 'ec2',
      action: 'CreateTags',
      resourceId: `${OFF_AT} stopped=${EVENING}`,
      code: 'InvalidParameterValue',
      status: 400,
      times: 1,
    });
    await runAt(EVENING);
    const evening = summaries().at(-1)!;
    expect(evening.failures).toEqual([
      {
        resourceId: 'dev-1',
        action: 'CreateOrUpdateTags',
        message: expect.stringContaining('set its sizes back by hand (min=1 desired=2 max=4)'),
      },
    ]);
    for (const g of groups) {
      expect(group(g.name).tags.ScaleToZeroLastTransition).toBe(
        g.name === 'dev-1' ? undefined : `${OFF_AT} scaled-to-zero max=${g.size.max}`,
      );
    }
    for (const id of boxes) {
      expect(region().getInstance(id)!.tags.ScaleToZeroLastTransition).toBe(`${OFF_AT} stopped=${EVENING}`);
    }
    await runAt(MORNING);
    for (const g of groups) {
      expect(sizes(g.name)).toEqual(g.name === 'dev-1' ? { min: 0, desired: 0, max: 0 } : g.size);
    }
    for (const id of boxes) expect(region().getInstance(id)!.state).toBe('running');
  });

  it('checks the time budget between group updates: saved but not updated groups are left for the next run', async () => {
    const groups = seedGroups(3);
    const clients = createClients(REGION, { maxAttempts: 1 });
    const transition = new Date(OFF_AT);
    const actions: ScaleAction[] = groups.map((g) => ({
      kind: 'scale-group-to-zero',
      group: g.name,
      saved: g.size,
      transition,
    }));
    // Time for the save batch and the first update only.
    let checksLeft = 2;
    try {
      const result = await applyScaleActions(clients, actions, {
        now: new Date(EVENING),
        hasTime: () => checksLeft-- > 0,
        groupConcurrency: 1,
      });
      expect(result.incomplete).toBe(true);
      expect(result.done).toEqual([actions[0]]);
      expect(result.notTried).toEqual([actions[1], actions[2]]);
      expect(result.failures).toEqual([]);
    } finally {
      destroyClients(clients);
    }
    expect(sizes('dev-0')).toEqual({ min: 0, desired: 0, max: 0 });
    expect(group('dev-0').tags.ScaleToZeroLastTransition).toBe(`${OFF_AT} scaled-to-zero max=3`);
    for (const g of groups.slice(1)) {
      expect(sizes(g.name)).toEqual(g.size);
      expect(group(g.name).tags.ScaleToZeroLastTransition).toBeUndefined();
    }
    // The next run scales the other two, remembering the same sizes.
    await runAt('2026-11-23T17:45:00Z');
    for (const g of groups) {
      expect(sizes(g.name)).toEqual({ min: 0, desired: 0, max: 0 });
      expect(group(g.name).tags.ScaleToZeroSavedCapacity).toBe(
        `min=${g.size.min} desired=${g.size.desired} max=${g.size.max}`,
      );
    }
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(3);
  });
});
