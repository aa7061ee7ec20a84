/**
 * The patch-window rules, asked after the trust rules and before the schedule decides. While the
 * schedule is off, a resource asleep by this function's own record of this off period (stopped with
 * a matching marker, or scaled to 0 with saved sizes within the recorded max and the cap) is turned
 * on a lead time before an enabled maintenance window that targets it, and its record gains
 * `patching=<window> until=<end>`. Only what that record says it turned on for a window is turned
 * off again when the window ends; a box a person started in the night has no such record and is
 * left alone.
 */
import { formatTimestamp, TAG } from '../../tags';
import { recordTransition } from './common-rules';
import type { GroupFacts, InstanceFacts, TransitionFacts } from './facts';
import type { DueWindow, PatchFacts } from './patch-windows';
import { formatCapacity } from './records';
import { rule, type ScaleRule } from './rule';
import type { PatchMark, Verdict } from './types';

function hhmm(d: Date): string {
  return formatTimestamp(d).slice(11, 16);
}

function windowLabel(p: PatchFacts, id: string): string {
  const name = p.nameOf(id);
  return name ? `${id} (${name})` : id;
}

function startedFor(p: PatchFacts, due: DueWindow): string {
  return `started for maintenance window ${windowLabel(p, due.window.id)} at ${hhmm(due.start)} UTC, ${p.leadMinutes} min lead; back to off at ${hhmm(due.end)} UTC`;
}

/** The record of this off period says it was turned on for a window: that window, else undefined. */
function patching(f: TransitionFacts): PatchMark | undefined {
  return !f.state.on && f.last?.patch && f.last.at.getTime() === f.transition.getTime()
    ? f.last.patch
    : undefined;
}

/** Asleep by its own record of this off period, not yet started for a window. */
function asleepByRecord(f: TransitionFacts): boolean {
  return (
    !f.state.on && f.last !== undefined && !f.last.patch && f.last.at.getTime() === f.transition.getTime()
  );
}

const STILL_RUNNING = 'on for a maintenance window that has not ended: kept on until it ends';

function stillPatching(f: TransitionFacts, p: PatchFacts): Verdict | undefined {
  const mark = patching(f);
  return mark && f.now < mark.until
    ? {
        outcome: 'keep',
        reason: `on for maintenance window ${windowLabel(p, mark.window)} until ${formatTimestamp(mark.until)}; back to off then (schedule ${f.label} is off since ${f.at})`,
      }
    : undefined;
}

/** The window ended, but ScaleToZeroSkipUntil asks to keep it on: kept; the schedule stops it later. */
function keptBySkipUntil(f: TransitionFacts, mark: PatchMark): Verdict | undefined {
  return f.keepOnUntil
    ? {
        outcome: 'keep',
        reason: `maintenance window ${mark.window} ended at ${formatTimestamp(mark.until)}, but ${TAG.scaleToZeroSkipUntil} keeps it on until ${formatTimestamp(f.keepOnUntil)}`,
      }
    : undefined;
}

type PatchedFacts = TransitionFacts & { patch: PatchFacts };

const windowRunning = rule<PatchedFacts>('patch-window-running', STILL_RUNNING, (f) =>
  stillPatching(f, f.patch),
);

/**
 * The window this off period's record turned the resource on for has ended: `then` says what now
 * (given "maintenance window … ended at …"), unless ScaleToZeroSkipUntil keeps it on. A record
 * that does not say what `applies` asks for is left to the later rules.
 */
function windowOver<F extends PatchedFacts>(
  summary: string,
  then: (f: F, ended: string) => Verdict | undefined,
  applies: (f: F) => boolean = () => true,
): ScaleRule<F> {
  return rule<F>('patch-window-over', summary, (f) => {
    const mark = patching(f);
    if (!mark || !applies(f)) return undefined;
    const kept = keptBySkipUntil(f, mark);
    if (kept) return kept;
    return then(
      f,
      `maintenance window ${windowLabel(f.patch, mark.window)} ended at ${formatTimestamp(mark.until)}`,
    );
  });
}

const instanceStart = rule<InstanceFacts>(
  'patch-window-start',
  'off, stopped by scale-to-zero this off period, and a maintenance window targeting it begins within the lead time: started for the window',
  (f) => {
    const due = f.patch.due;
    if (!due || !asleepByRecord(f) || f.instance.state !== 'stopped') return undefined;
    if (!f.stoppedByUs || !f.markerMatches) return undefined;
    return {
      outcome: 'start',
      reason: startedFor(f.patch, due),
      action: {
        kind: 'start-instance',
        instanceId: f.resourceId,
        transition: f.transition,
        patch: { window: due.window.id, until: due.end, carried: f.stoppedByUs },
      },
    };
  },
);

const instanceOver = windowOver<InstanceFacts>(
  'started by scale-to-zero for a maintenance window that has ended: stopped again (unless stopped meanwhile, or ScaleToZeroSkipUntil keeps it on)',
  (f, ended) => {
    if (f.instance.state === 'running') {
      return {
        outcome: 'stop',
        reason: `${ended}: back to off (schedule ${f.label} is off since ${f.at}; started for the window by scale-to-zero)`,
        // No hours counted: the stop at the off transition already counted them until the morning.
        action: { kind: 'stop-instance', instanceId: f.resourceId, transition: f.transition },
      };
    }
    if (f.instance.state === 'stopped') {
      // Stopped by someone else since the window began: not ours to start in the morning.
      return recordTransition(
        f,
        'instance',
        `${ended}; already stopped, not by scale-to-zero, so it is not started in the morning`,
        { dropMarker: true },
      );
    }
    return undefined;
  },
);

const groupStart = rule<GroupFacts>(
  'patch-window-start',
  'off, at 0 by scale-to-zero this off period, and a maintenance window targets the tags it propagates within the lead time: its saved sizes are restored for the window',
  (f) => {
    const due = f.patch.due;
    if (!due || !asleepByRecord(f) || !f.atZero || !f.scaled || !f.saved) return undefined;
    // What would not be restored in the morning is not restored for a window either.
    if (f.saved.max > f.scaled.max || f.saved.max > f.cap) return undefined;
    return {
      outcome: 'restore',
      reason: `${startedFor(f.patch, due)} (restore ${formatCapacity(f.saved)}, kept remembered)`,
      action: {
        kind: 'restore-group',
        group: f.resourceId,
        restore: f.saved,
        transition: f.transition,
        patch: { window: due.window.id, until: due.end, carried: f.scaled },
      },
    };
  },
);

const groupOver = windowOver<GroupFacts>(
  'restored by scale-to-zero for a maintenance window that has ended: scaled to 0 again (unless at 0 already, or ScaleToZeroSkipUntil keeps it on)',
  (f, ended) => {
    if (f.atZero) {
      // Its sizes are still the ones saved at the off transition: the morning restores them.
      return recordTransition(f, 'auto-scaling-group', `${ended}; already at 0`, { carried: f.scaled! });
    }
    if (f.current.max > f.cap) {
      return {
        outcome: 'skip',
        reason: `${ended}, but max=${f.current.max} is above SCALE_MAX_RESTORE_CAPACITY=${f.cap}: left on, not scaled to 0`,
      };
    }
    return {
      outcome: 'scale-to-zero',
      reason: `${ended}: remember ${formatCapacity(f.current)}, back to 0 (schedule ${f.label} is off since ${f.at})`,
      action: {
        kind: 'scale-group-to-zero',
        group: f.resourceId,
        saved: f.current,
        transition: f.transition,
      },
      // No hours counted: the scale-down at the off transition already counted them.
    };
  },
  (f) => f.scaled !== undefined,
);

/** Asked in this order, after the trust rules and before already-acted and the schedule decision. */
export const INSTANCE_PATCH_RULES = [instanceStart, windowRunning, instanceOver];
export const GROUP_PATCH_RULES = [groupStart, windowRunning, groupOver];
