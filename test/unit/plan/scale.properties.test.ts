/**
 * Properties of the plan over arbitrary sizes, tags and moments: the sizes a group had before it was
 * scaled down are exactly what it gets back, and nothing without the ScaleToZero key is ever touched.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../../shared/domain';
import {
  formatCapacity,
  planScale,
  transitionValue,
  type Capacity,
  type ScaleAction,
} from '../../../shared/plan/scale';
import { parseHolidays, parseSchedule, scheduleStateAt } from '../../../shared/schedule';
import { formatTimestamp } from '../../../shared/tags';

const SCHEDULES = [
  'Mon-Fri 08:00-18:30 Europe/Berlin',
  'Mon-Fri 07:00-19:00 America/New_York',
  'daily 22:00-06:00 Asia/Tokyo',
  'Sat,Sun 10:00-12:00 UTC',
];
const settings = {
  defaultSchedule: parseSchedule(SCHEDULES[0]!),
  namedSchedules: new Map([['night', parseSchedule(SCHEDULES[2]!)]]),
  holidays: parseHolidays(['2026-12-24', '2026-12-25', '2027-01-01']),
};

const capacity = fc
  .tuple(fc.nat(50), fc.nat(50), fc.nat(50))
  .map(([a, b, c]) => [a, b, c].sort((x, y) => x - y) as [number, number, number])
  .map(([min, desired, max]): Capacity => ({ min, desired, max }));
// 2026 and 2027 cover both DST switches in every zone above.
const moment = fc.date({
  min: new Date('2026-01-01T00:00:00Z'),
  max: new Date('2027-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const scheduleTag = fc.constantFrom('true', 'night', ...SCHEDULES);

const group = (name: string, c: Capacity, tags: Record<string, string>): AutoScalingGroupRecord => ({
  name,
  launchTemplates: [],
  minSize: c.min,
  desiredCapacity: c.desired,
  maxSize: c.max,
  tags,
  instanceIds: [],
});

/** What the apply step does to a group, in memory (the transition tag as the apply step writes it). */
function applyToGroup(g: AutoScalingGroupRecord, a: ScaleAction, now = a.transition): AutoScalingGroupRecord {
  const tags: Record<string, string> = {
    ...g.tags,
    ScaleToZeroLastTransition: transitionValue(a, now),
  };
  if (a.kind === 'scale-group-to-zero') {
    return group(
      g.name,
      { min: 0, desired: 0, max: 0 },
      { ...tags, ScaleToZeroSavedCapacity: formatCapacity(a.saved) },
    );
  }
  if (a.kind === 'restore-group') {
    delete tags.ScaleToZeroSavedCapacity;
    return group(g.name, a.restore, tags);
  }
  return group(g.name, { min: g.minSize, desired: g.desiredCapacity, max: g.maxSize }, tags);
}

describe('planScale properties', () => {
  it('restore always returns the remembered sizes', () => {
    fc.assert(
      fc.property(capacity, capacity, moment, scheduleTag, (saved, current, now, tag) => {
        const g = group('g', current, { ScaleToZero: tag, ScaleToZeroSavedCapacity: formatCapacity(saved) });
        const plan = planScale({ groups: [g], instances: [], settings, now });
        for (const a of plan.actions) {
          if (a.kind === 'restore-group') expect(a.restore).toEqual(saved);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a group scaled down at any off time gets exactly its sizes back at the next on time', () => {
    fc.assert(
      fc.property(capacity, moment, scheduleTag, (original, now, tag) => {
        fc.pre(original.max > 0);
        let g = group('g', original, { ScaleToZero: tag });
        const schedule =
          tag === 'true'
            ? settings.defaultSchedule
            : tag === 'night'
              ? settings.namedSchedules.get('night')!
              : parseSchedule(tag);
        const state = scheduleStateAt(schedule, settings.holidays, now);
        fc.pre(!state.on && state.until !== undefined);
        const down = planScale({ groups: [g], instances: [], settings, now });
        expect(down.actions).toEqual([
          expect.objectContaining({ kind: 'scale-group-to-zero', saved: original }),
        ]);
        g = applyToGroup(g, down.actions[0]!);
        // Runs every 15 minutes during the night change nothing ...
        const later = new Date(Math.min(now.getTime() + 15 * 60_000, state.until!.getTime() - 1));
        expect(planScale({ groups: [g], instances: [], settings, now: later }).actions).toEqual([]);
        // ... and the first run of the morning restores the remembered sizes.
        const up = planScale({ groups: [g], instances: [], settings, now: state.until! });
        expect(up.actions).toEqual([expect.objectContaining({ kind: 'restore-group', restore: original })]);
        g = applyToGroup(g, up.actions[0]!);
        expect({ min: g.minSize, desired: g.desiredCapacity, max: g.maxSize }).toEqual(original);
      }),
      { numRuns: 150 },
    );
  });

  it('never touches a group or instance without the ScaleToZero tag', () => {
    const otherTags = fc.dictionary(
      fc.constantFrom(
        'Name',
        'scaletozero',
        'ScaleToZeroSavedCapacity',
        'ScaleToZeroStoppedAt',
        'ScaleToZeroSkipUntil',
        'ScaleToZeroLastTransition',
        'Env',
      ),
      fc.constantFrom('true', 'min=1 desired=2 max=3', '2026-11-23T17:30:00Z', 'x', ''),
    );
    const resource = fc.record({ tagged: fc.boolean(), tags: otherTags, tag: scheduleTag, c: capacity });
    fc.assert(
      fc.property(
        fc.array(resource, { maxLength: 8 }),
        fc.array(resource, { maxLength: 8 }),
        moment,
        (gs, is, now) => {
          const groups = gs.map((r, n) =>
            group(`g${n}`, r.c, r.tagged ? { ...r.tags, ScaleToZero: r.tag } : r.tags),
          );
          const instances: ScalableInstanceRecord[] = is.map((r, n) => ({
            id: `i-${n}`,
            state: r.c.min % 2 === 0 ? 'running' : 'stopped',
            tags: r.tagged ? { ...r.tags, ScaleToZero: r.tag } : r.tags,
          }));
          const tagged = new Set([
            ...groups.filter((g) => g.tags.ScaleToZero !== undefined).map((g) => g.name),
            ...instances.filter((i) => i.tags.ScaleToZero !== undefined).map((i) => i.id),
          ]);
          const plan = planScale({ groups, instances, settings, now });
          for (const a of plan.actions) {
            const id =
              a.kind === 'record-transition'
                ? a.resourceId
                : 'group' in a
                  ? a.group
                  : 'instanceId' in a
                    ? a.instanceId
                    : a.database.id;
            expect(tagged.has(id)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** The schedule a ScaleToZero value names, as the plan resolves it. */
const scheduleOf = (tag: string) =>
  tag === 'true'
    ? settings.defaultSchedule
    : tag === 'night'
      ? settings.namedSchedules.get('night')!
      : parseSchedule(tag);

/** The start of the latest off period at `now` (the current one, or the one that just ended). */
function latestOff(tag: string, now: Date): Date | undefined {
  const s = scheduleOf(tag);
  const state = scheduleStateAt(s, settings.holidays, now);
  if (!state.since) return undefined;
  if (!state.on) return state.since;
  const before = scheduleStateAt(s, settings.holidays, new Date(state.since.getTime() - 1));
  return before.on ? undefined : before.since;
}

/**
 * A value someone who may tag can write, built from random parts and biased towards the values the
 * function itself writes for this off period, so that forgeries are as plausible as they get.
 */
const forgery = fc.record({ kind: fc.nat(4), t: fc.nat(2), u: fc.nat(2), n: fc.nat(400), m: fc.nat(400) });
function forgedValue(off: Date | undefined, f: { kind: number; t: number; u: number; n: number; m: number }) {
  const times = [off, off && new Date(off.getTime() - 7 * 86_400_000), new Date('2026-11-23T17:45:00Z')]
    .filter((d): d is Date => d !== undefined)
    .map(formatTimestamp);
  const [t, u] = [times[f.t % times.length]!, times[f.u % times.length]!];
  const [lo, hi] = [Math.min(f.n, f.m), Math.max(f.n, f.m)];
  return [t, `${t} scaled-to-zero max=${f.n}`, `${t} stopped=${u}`, `min=${lo} desired=${lo} max=${hi}`, 'x'][
    f.kind
  ]!;
}
const BOOKKEEPING = [
  'ScaleToZeroSavedCapacity',
  'ScaleToZeroStoppedAt',
  'ScaleToZeroLastTransition',
] as const;

describe('planScale properties: tags are not permissions', () => {
  it('one forged bookkeeping tag never restores a parked group nor starts a stopped instance', () => {
    fc.assert(
      fc.property(moment, scheduleTag, fc.constantFrom(...BOOKKEEPING), forgery, (now, tag, key, f) => {
        const value = forgedValue(latestOff(tag, now), f);
        const parked = group('parked', { min: 0, desired: 0, max: 0 }, { ScaleToZero: tag, [key]: value });
        const box: ScalableInstanceRecord = {
          id: 'i-quarantined',
          state: 'stopped',
          rootDeviceType: 'ebs',
          tags: { ScaleToZero: tag, [key]: value },
        };
        const plan = planScale({ groups: [parked], instances: [box], settings, now });
        const woken = plan.actions.filter((a) => a.kind === 'restore-group' || a.kind === 'start-instance');
        expect(woken).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('after the function scaled a group down, one tampered tag never restores it above its old max or the cap, and lost sizes are reported', () => {
    fc.assert(
      fc.property(
        capacity,
        moment,
        scheduleTag,
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(...BOOKKEEPING),
        fc.option(forgery),
        (original, now, tag, maxRestoreCapacity, key, f) => {
          fc.pre(original.max > 0);
          const s = { ...settings, maxRestoreCapacity };
          const state = scheduleStateAt(scheduleOf(tag), settings.holidays, now);
          fc.pre(!state.on && state.until !== undefined);
          let g = group('g', original, { ScaleToZero: tag });
          const down = planScale({ groups: [g], instances: [], settings: s, now });
          if (original.max > maxRestoreCapacity) {
            // What it could not restore, it does not turn off.
            expect(down.actions).toEqual([]);
            expect(down.decisions[0]!.outcome).toBe('skip');
            return;
          }
          g = applyToGroup(g, down.actions[0]!);
          // The tamper: a new value for one bookkeeping key (forged, or a person's), or its removal.
          const tags: Record<string, string> = { ...g.tags };
          if (f === null) delete tags[key];
          else tags[key] = forgedValue(state.since, f);
          g = group('g', { min: 0, desired: 0, max: 0 }, tags);
          const up = planScale({ groups: [g], instances: [], settings: s, now: state.until! });
          for (const a of up.actions) {
            if (a.kind !== 'restore-group') continue;
            expect(a.restore.max).toBeLessThanOrEqual(original.max);
            expect(a.restore.max).toBeLessThanOrEqual(maxRestoreCapacity);
          }
          if (f === null && key === 'ScaleToZeroSavedCapacity') {
            expect(up.decisions[0]).toMatchObject({
              outcome: 'skip',
              reason: expect.stringContaining('ScaleToZeroSavedCapacity tag is gone'),
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
