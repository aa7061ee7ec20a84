/**
 * The rules for an instance, in order. An instance is started only when ScaleToZeroLastTransition
 * says scale-to-zero stopped it for the off period that just ended and the ScaleToZeroStoppedAt
 * marker, written by the same stop, agrees.
 */
import type { ScalableInstanceRecord } from '../../domain';
import { formatTimestamp, TAG } from '../../tags';
import {
  alreadyActed,
  noTransition,
  notOptedIn,
  optedOut,
  recordTransition,
  scheduleUnreadable,
  skipUntil,
  transitionInFuture,
  transitionUnreadable,
} from './common-rules';
import type { InstanceFacts, InstanceTagFacts } from './facts';
import { INSTANCE_PATCH_RULES } from './patch-rules';
import { actionUnreadable, hibernate, hibernationNotConfigured } from './hibernate';
import { rule, type RuleStages } from './rule';
import type { Verdict } from './types';

/** Why an instance cannot be stopped and started safely, or undefined when it can. */
export function unsafeToStop(i: ScalableInstanceRecord): string | undefined {
  if (i.autoScalingGroupName !== undefined) {
    return `member of Auto Scaling group ${i.autoScalingGroupName}: the group would replace it; tag the group instead`;
  }
  if (i.lifecycle === 'spot') return 'Spot instance: stopping may lose it to interruption; not managed';
  if (i.lifecycle !== undefined && i.lifecycle !== 'on-demand' && i.lifecycle !== 'scheduled') {
    return `${i.lifecycle} instance: cannot be stopped and started safely; not managed`;
  }
  if (i.rootDeviceType === 'instance-store') {
    return 'instance-store root volume: stopping would lose its data; not managed';
  }
  return undefined;
}

// ScaleToZero propagated at launch from a group we manage: the group is what gets scaled.
const managedByGroup = rule<InstanceTagFacts>(
  'managed-by-group',
  'member of an Auto Scaling group tagged ScaleToZero: kept, the group is scaled instead',
  (f) => {
    const group = f.instance.autoScalingGroupName;
    return group !== undefined && f.managedGroups.has(group)
      ? { outcome: 'keep', reason: `managed through its Auto Scaling group ${group}` }
      : undefined;
  },
);

const notSafeToStop = rule<InstanceTagFacts>(
  'unsafe-to-stop',
  'in a group, Spot, another lifecycle, or an instance-store root: skipped, never stopped',
  (f) => {
    const unsafe = unsafeToStop(f.instance);
    return unsafe ? { outcome: 'skip', reason: unsafe } : undefined;
  },
);

const markerUnreadable = rule<InstanceFacts>(
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

const settling = rule<InstanceFacts>(
  'settling',
  'pending, stopping or shutting down: waits for the next run',
  (f) =>
    ['pending', 'stopping', 'shutting-down'].includes(f.instance.state)
      ? { outcome: 'wait', reason: `${f.instance.state}; acting on the next run once it settles` }
      : undefined,
);

const terminated = rule<InstanceFacts>('terminated', 'terminated: kept', (f) =>
  f.instance.state === 'terminated' ? { outcome: 'keep', reason: 'terminated' } : undefined,
);

/** Why a stopped instance's marker and record do not prove scale-to-zero stopped it; undefined if they do. */
function unprovenStop(f: InstanceFacts): string | undefined {
  if (f.instance.state !== 'stopped') return undefined;
  if (!f.state.on) {
    return f.stoppedByUs && !f.markerMatches
      ? 'the stopped-at marker does not match the record of the stop'
      : undefined;
  }
  if (f.stoppedAt.kind === 'absent') return f.stoppedByUs ? 'the stopped-at marker is gone' : undefined;
  if (f.markerMatches && f.recordOfEndedOffPeriod) return undefined;
  if (!f.stoppedByUs) return 'scale-to-zero recorded no stop of this instance';
  return f.recordOfEndedOffPeriod
    ? 'the stopped-at marker does not match the record of the stop'
    : `the record is not of the off period that just ended${f.offSince ? ` (began ${formatTimestamp(f.offSince)})` : ''}`;
}

// The marker and the record are written by the same stop; one without the other, or two that
// disagree, is a lost tag or someone else's: never a reason to start, always reported.
const stopUnproven = rule<InstanceFacts>(
  'stop-unproven',
  'stopped, but the marker and the record do not prove scale-to-zero stopped it: skipped and reported',
  (f): Verdict | undefined => {
    const why = unprovenStop(f);
    if (why === undefined) return undefined;
    return {
      outcome: 'skip',
      reason: `${TAG.scaleToZeroStoppedAt}=${JSON.stringify(f.markerText ?? null)} and ${TAG.scaleToZeroLastTransition}=${JSON.stringify(f.lastText ?? null)}: ${why}; left ${f.instance.state}, not started. Start it by hand if it should run; an administrator removes a marker that is not scale-to-zero's`,
      tagProblem: {
        resourceId: f.resourceId,
        tag: TAG.scaleToZeroStoppedAt,
        value: f.markerText ?? '',
        expected: `the same time as in ${TAG.scaleToZeroLastTransition}="<start of the off period> stopped=<time>", both written by scale-to-zero when it stopped the instance`,
      },
    };
  },
);

// Still stopped from an earlier off period whose start never happened (no capacity, say).
const stillStopped = rule<InstanceFacts>(
  'still-stopped',
  'off, and still stopped by scale-to-zero from an earlier off period: the record carries over',
  (f) =>
    !f.state.on && f.instance.state === 'stopped' && f.stoppedByUs
      ? recordTransition(
          f,
          'instance',
          `off since ${f.at} (schedule ${f.label}); still stopped since scale-to-zero stopped it at ${formatTimestamp(f.stoppedByUs.stoppedAt)}`,
          { carried: f.stoppedByUs },
        )
      : undefined,
);

const alreadyOff = rule<InstanceFacts>(
  'already-off',
  'off and not running: the transition is recorded',
  (f) =>
    !f.state.on && f.instance.state !== 'running'
      ? recordTransition(
          f,
          'instance',
          `off since ${f.at} (schedule ${f.label}); already ${f.instance.state}`,
        )
      : undefined,
);

// Started after the schedule went off: somebody wants it now, and we never stopped it.
const startedWhileOff = rule<InstanceFacts>(
  'started-while-off',
  'off, but started after the off transition: the transition is recorded, left running',
  (f) =>
    !f.state.on && f.instance.launchedAt && f.instance.launchedAt > f.transition
      ? recordTransition(
          f,
          'instance',
          `off since ${f.at} (schedule ${f.label}), but started at ${formatTimestamp(f.instance.launchedAt)}, after that; left running`,
        )
      : undefined,
);

const stop = rule<InstanceFacts>('stop', 'off and running: marked and stopped', (f) =>
  !f.state.on
    ? {
        outcome: 'stop',
        reason: `off since ${f.at} (schedule ${f.label}): stop${f.state.until ? ` until ${formatTimestamp(f.state.until)}` : ''}${
          hibernationNotConfigured(f)
            ? `; ${TAG.scaleToZeroAction}=hibernate, but hibernation not configured on ${f.resourceId}: stopped instead`
            : ''
        }`,
        action: { kind: 'stop-instance', instanceId: f.resourceId, transition: f.transition },
        instanceHoursSaved: f.hoursOff,
      }
    : undefined,
);

const notStoppedByUs = rule<InstanceFacts>(
  'not-stopped-by-us',
  'on, and no stopped-at marker: the transition is recorded, left as it is',
  (f) =>
    f.state.on && f.stoppedAt.kind === 'absent'
      ? recordTransition(
          f,
          'instance',
          `on since ${f.at} (schedule ${f.label}); not stopped by scale-to-zero, left ${f.instance.state}`,
        )
      : undefined,
);

const start = rule<InstanceFacts>(
  'start',
  'on, and stopped by scale-to-zero for the off period that just ended: started',
  (f) =>
    f.state.on && f.instance.state === 'stopped' && f.stoppedAt.kind === 'ok'
      ? {
          outcome: 'start',
          reason: `on since ${f.at} (schedule ${f.label}): start (stopped by scale-to-zero at ${formatTimestamp(f.stoppedAt.value)})`,
          action: { kind: 'start-instance', instanceId: f.resourceId, transition: f.transition },
        }
      : undefined,
);

const alreadyOn = rule<InstanceFacts>(
  'already-on',
  'on and not stopped: the transition is recorded and a leftover marker dropped',
  (f) =>
    f.state.on
      ? recordTransition(
          f,
          'instance',
          `on since ${f.at} (schedule ${f.label}); already ${f.instance.state}`,
          {
            dropMarker: true,
          },
        )
      : undefined,
);

/** An instance's rules in three stages: its tags, then its schedule, then the transition. */
export const INSTANCE_STAGES: RuleStages<InstanceTagFacts, InstanceFacts> = {
  tags: [
    notOptedIn,
    managedByGroup,
    notSafeToStop,
    optedOut,
    scheduleUnreadable,
    actionUnreadable,
    transitionUnreadable,
    transitionInFuture,
  ],
  schedule: [noTransition],
  transition: [
    // Patch windows: turned on for a maintenance window while asleep by its own record.
    ...INSTANCE_PATCH_RULES,
    alreadyActed,
    markerUnreadable,
    settling,
    terminated,
    skipUntil,
    stopUnproven,
    stillStopped,
    alreadyOff,
    startedWhileOff,
    hibernate,
    stop,
    notStoppedByUs,
    start,
    alreadyOn,
  ],
};
