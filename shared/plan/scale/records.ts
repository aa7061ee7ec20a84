/** The texts scale-to-zero writes in its own tags: saved sizes and the record of a transition. */
import { formatTimestamp, parseTimestamp } from '../../tags';
import type { Capacity, ScaleAction, TransitionDeed, TransitionRecord } from './types';

export const CAPACITY_EXPECTED =
  'min=<n> desired=<n> max=<n> with min <= desired <= max, e.g. min=1 desired=2 max=4';

export function formatCapacity(c: Capacity): string {
  return `min=${c.min} desired=${c.desired} max=${c.max}`;
}

export function parseCapacity(text: string): Capacity | undefined {
  const m = /^min=(\d{1,6}) desired=(\d{1,6}) max=(\d{1,6})$/.exec(text.trim());
  if (!m) return undefined;
  const [min, desired, max] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(min <= desired && desired <= max)) return undefined;
  return { min, desired, max };
}

export const TRANSITION_EXPECTED =
  'an ISO 8601 UTC time written by scale-to-zero, alone or followed by " scaled-to-zero max=<n>" or " stopped=<ISO UTC time>" (then optionally " patching=<window id> until=<ISO UTC time>"), e.g. 2026-11-23T17:30:00Z scaled-to-zero max=4';

const RECORD =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)(?: scaled-to-zero max=(\d{1,6})| stopped=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z))?(?: patching=(mw-[0-9a-f]{17}) until=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z))?$/;

/** The ScaleToZeroLastTransition value: the transition, then what was done at it. */
export function formatTransitionRecord(r: TransitionRecord): string {
  const patch = r.patch ? ` patching=${r.patch.window} until=${formatTimestamp(r.patch.until)}` : '';
  return `${formatDeed(r.at, r.deed)}${patch}`;
}

function formatDeed(transition: Date, deed: TransitionDeed): string {
  const at = formatTimestamp(transition);
  switch (deed.kind) {
    case 'nothing':
      return at;
    case 'scaled-to-zero':
      return `${at} scaled-to-zero max=${deed.max}`;
    case 'stopped':
      return `${at} stopped=${formatTimestamp(deed.stoppedAt)}`;
  }
}

export function parseTransitionRecord(text: string): TransitionRecord | undefined {
  const m = RECORD.exec(text.trim());
  if (!m) return undefined;
  const at = parseTimestamp(m[1]!);
  if (!at) return undefined;
  const record = recordOf(at, m);
  // A window is only ever recorded beside the stop or scale-down it interrupts.
  if (!record || m[4] === undefined) return record;
  const until = parseTimestamp(m[5]!);
  if (!until || record.deed.kind === 'nothing') return undefined;
  return { ...record, patch: { window: m[4], until } };
}

function recordOf(at: Date, m: RegExpExecArray): TransitionRecord | undefined {
  if (m[2] !== undefined) return { at, deed: { kind: 'scaled-to-zero', max: Number(m[2]) } };
  if (m[3] !== undefined) {
    const stoppedAt = parseTimestamp(m[3]);
    return stoppedAt ? { at, deed: { kind: 'stopped', stoppedAt } } : undefined;
  }
  return { at, deed: { kind: 'nothing' } };
}

/**
 * What ScaleToZeroLastTransition says after an action: the transition and what was done at it. A
 * restore or start is recorded bare, so the sizes or marker left behind no longer count as ours.
 * `now` is the stop's time, the same value the apply step writes to ScaleToZeroStoppedAt.
 */
export function transitionValue(a: ScaleAction, now: Date): string {
  let deed: TransitionDeed = { kind: 'nothing' };
  if (a.kind === 'scale-group-to-zero') deed = { kind: 'scaled-to-zero', max: a.saved.max };
  else if (a.kind === 'stop-instance') deed = { kind: 'stopped', stoppedAt: now };
  else if (a.kind === 'record-transition' && a.carried) deed = a.carried;
  // Databases: as instances (the stop's time, the same value as the ScaleToZeroStoppedAt marker).
  else if (a.kind === 'stop-database') deed = { kind: 'stopped', stoppedAt: now };
  else if (a.kind === 'record-database' && a.carried) deed = a.carried;
  // Started for a maintenance window: the off transition's deed stays, with the window beside it.
  if ((a.kind === 'start-instance' || a.kind === 'restore-group') && a.patch) {
    const { window, until, carried } = a.patch;
    return formatTransitionRecord({ at: a.transition, deed: carried, patch: { window, until } });
  }
  return formatTransitionRecord({ at: a.transition, deed });
}
