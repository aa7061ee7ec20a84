/**
 * The rules for an instance, in order. An instance is started only when ScaleToZeroLastTransition
 * says scale-to-zero stopped it for the off period that just ended and the ScaleToZeroStoppedAt
 * marker, written by the same stop, agrees.
 */
import type { ScalableInstanceRecord } from '../../domain';
import { formatTimestamp, TAG } from '../../tags';
import { alreadyActed, recordTransition, SCHEDULE_RULES, skipUntil, tagRules } from './common-rules';
import type { InstanceFacts, InstanceTagFacts } from './facts';
import { INSTANCE_PATCH_RULES } from './patch-rules';
import { actionUnreadable, hibernate, hibernationNotConfigured } from './hibernate';
import { rule, type RuleStages } from './rule';
import { markerUnreadable, stoppableRules } from './stoppable-rules';

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

const { stopUnproven, stillStopped, alreadyOff, stop, notStoppedByUs, start, alreadyOn } =
  stoppableRules<InstanceFacts>({
    noun: 'instance',
    state: (f) => f.instance.state,
    running: 'running',
    object: () => '',
    stopAction: (f) => ({ kind: 'stop-instance', instanceId: f.resourceId, transition: f.transition }),
    startAction: (f) => ({ kind: 'start-instance', instanceId: f.resourceId, transition: f.transition }),
    stopExtras: (f) => ({
      note: hibernationNotConfigured(f)
        ? `; ${TAG.scaleToZeroAction}=hibernate, but hibernation not configured on ${f.resourceId}: stopped instead`
        : '',
      saved: { instanceHoursSaved: f.hoursOff },
    }),
    record: (f, reason, options) => recordTransition(f, 'instance', reason, options),
    unprovenAdvice: "; an administrator removes a marker that is not scale-to-zero's",
    summaries: {
      alreadyOff: 'off and not running: the transition is recorded',
      alreadyOn: 'on and not stopped: the transition is recorded and a leftover marker dropped',
    },
  });

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

/** An instance's rules in three stages: its tags, then its schedule, then the transition. */
export const INSTANCE_STAGES: RuleStages<InstanceTagFacts, InstanceFacts> = {
  tags: tagRules([managedByGroup, notSafeToStop], [actionUnreadable]),
  schedule: SCHEDULE_RULES,
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
