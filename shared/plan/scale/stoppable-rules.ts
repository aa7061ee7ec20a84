/**
 * The stop, start and record rules an EC2 instance and a database (RDS DB instance, Aurora cluster)
 * share: both are stopped behind a ScaleToZeroStoppedAt marker and started only when that marker and
 * ScaleToZeroLastTransition's record of the stop agree. One factory, parameterised by the kind of
 * resource: what it is called, how its state reads, and what its stop and start ask for.
 */
import { formatTimestamp, TAG } from '../../tags';
import type { StopFacts } from './facts';
import { rule, type ScaleRule } from './rule';
import type { ScaleAction, TransitionDeed, Verdict } from './types';

export interface StoppableKind<F extends StopFacts> {
  /** What the reasons call it: "this instance", "stopped the database". */
  noun: string;
  /** Its state as read: EC2's instance state, RDS's status. */
  state: (f: F) => string;
  /** The state it runs in: EC2's `running`, RDS's `available`. */
  running: string;
  /** What the stop and start reasons name after the verb ("" or " the DB cluster"). */
  object: (f: F) => string;
  stopAction: (f: F) => ScaleAction;
  startAction: (f: F) => ScaleAction;
  /** What the stop verdict adds: a note on how it stops, and the hours it saves. */
  stopExtras: (f: F) => { note: string; saved: Pick<Verdict, 'instanceHoursSaved' | 'databaseHoursOff'> };
  /** The bookkeeping-only verdict: the transition recorded. */
  record: (f: F, reason: string, options?: { dropMarker?: boolean; carried?: TransitionDeed }) => Verdict;
  /** Said after "Start it by hand if it should run" when the stop is unproven. */
  unprovenAdvice: string;
  /** The summaries that say the kind's states in its own words. */
  summaries: { alreadyOff: string; alreadyOn: string };
}

export interface StoppableRules<F extends StopFacts> {
  stopUnproven: ScaleRule<F>;
  stillStopped: ScaleRule<F>;
  alreadyOff: ScaleRule<F>;
  stop: ScaleRule<F>;
  notStoppedByUs: ScaleRule<F>;
  start: ScaleRule<F>;
  alreadyOn: ScaleRule<F>;
}

export const markerUnreadable = rule<StopFacts>(
  'marker-unreadable',
  'ScaleToZeroStoppedAt cannot be read: skipped and reported',
  (f) =>
    f.stoppedAt.kind === 'invalid'
      ? {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroStoppedAt}=${JSON.stringify(f.stoppedAt.problem.value)} is not readable`,
          tagProblem: f.stoppedAt.problem,
        }
      : undefined,
);

/** Why a stopped resource's marker and record do not prove scale-to-zero stopped it; undefined if they do. */
function unprovenStop(f: StopFacts, stopped: boolean, noun: string): string | undefined {
  if (!stopped) return undefined;
  if (!f.state.on) {
    return f.stoppedByUs && !f.markerMatches
      ? 'the stopped-at marker does not match the record of the stop'
      : undefined;
  }
  if (f.stoppedAt.kind === 'absent') return f.stoppedByUs ? 'the stopped-at marker is gone' : undefined;
  if (f.markerMatches && f.recordOfEndedOffPeriod) return undefined;
  if (!f.stoppedByUs) return `scale-to-zero recorded no stop of this ${noun}`;
  return f.recordOfEndedOffPeriod
    ? 'the stopped-at marker does not match the record of the stop'
    : `the record is not of the off period that just ended${f.offSince ? ` (began ${formatTimestamp(f.offSince)})` : ''}`;
}

const until = (f: StopFacts) => (f.state.until ? ` until ${formatTimestamp(f.state.until)}` : '');

export function stoppableRules<F extends StopFacts>(kind: StoppableKind<F>): StoppableRules<F> {
  const stopped = (f: F) => kind.state(f) === 'stopped';
  return {
    // The marker and the record are written by the same stop; one without the other, or two that
    // disagree, is a lost tag or someone else's: never a reason to start, always reported.
    stopUnproven: rule<F>(
      'stop-unproven',
      'stopped, but the marker and the record do not prove scale-to-zero stopped it: skipped and reported',
      (f): Verdict | undefined => {
        const why = unprovenStop(f, stopped(f), kind.noun);
        if (why === undefined) return undefined;
        return {
          outcome: 'skip',
          reason: `${TAG.scaleToZeroStoppedAt}=${JSON.stringify(f.markerText ?? null)} and ${TAG.scaleToZeroLastTransition}=${JSON.stringify(f.lastText ?? null)}: ${why}; left ${kind.state(f)}, not started. Start it by hand if it should run${kind.unprovenAdvice}`,
          tagProblem: {
            resourceId: f.resourceId,
            tag: TAG.scaleToZeroStoppedAt,
            value: f.markerText ?? '',
            expected: `the same time as in ${TAG.scaleToZeroLastTransition}="<start of the off period> stopped=<time>", both written by scale-to-zero when it stopped the ${kind.noun}`,
          },
        };
      },
    ),
    // Still stopped from an earlier off period whose start never happened (no capacity, say).
    stillStopped: rule<F>(
      'still-stopped',
      'off, and still stopped by scale-to-zero from an earlier off period: the record carries over',
      (f) =>
        !f.state.on && stopped(f) && f.stoppedByUs
          ? kind.record(
              f,
              `off since ${f.at} (schedule ${f.label}); still stopped since scale-to-zero stopped it at ${formatTimestamp(f.stoppedByUs.stoppedAt)}`,
              { carried: f.stoppedByUs },
            )
          : undefined,
    ),
    alreadyOff: rule<F>('already-off', kind.summaries.alreadyOff, (f) =>
      !f.state.on && kind.state(f) !== kind.running
        ? kind.record(f, `off since ${f.at} (schedule ${f.label}); already ${kind.state(f)}`)
        : undefined,
    ),
    stop: rule<F>('stop', `off and ${kind.running}: marked and stopped`, (f) => {
      if (f.state.on) return undefined;
      const { note, saved } = kind.stopExtras(f);
      return {
        outcome: 'stop',
        reason: `off since ${f.at} (schedule ${f.label}): stop${kind.object(f)}${until(f)}${note}`,
        action: kind.stopAction(f),
        ...saved,
      };
    }),
    notStoppedByUs: rule<F>(
      'not-stopped-by-us',
      'on, and no stopped-at marker: the transition is recorded, left as it is',
      (f) =>
        f.state.on && f.stoppedAt.kind === 'absent'
          ? kind.record(
              f,
              `on since ${f.at} (schedule ${f.label}); not stopped by scale-to-zero, left ${kind.state(f)}`,
            )
          : undefined,
    ),
    start: rule<F>(
      'start',
      'on, and stopped by scale-to-zero for the off period that just ended: started',
      (f) =>
        f.state.on && stopped(f) && f.stoppedAt.kind === 'ok'
          ? {
              outcome: 'start',
              reason: `on since ${f.at} (schedule ${f.label}): start${kind.object(f)} (stopped by scale-to-zero at ${formatTimestamp(f.stoppedAt.value)})`,
              action: kind.startAction(f),
            }
          : undefined,
    ),
    alreadyOn: rule<F>('already-on', kind.summaries.alreadyOn, (f) =>
      f.state.on
        ? kind.record(f, `on since ${f.at} (schedule ${f.label}); already ${kind.state(f)}`, {
            dropMarker: true,
          })
        : undefined,
    ),
  };
}
