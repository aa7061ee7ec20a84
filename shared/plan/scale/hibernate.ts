/**
 * ScaleToZeroAction: how an instance is turned off. `hibernate` asks EC2 to save the instance's
 * memory to its root volume (StopInstances with Hibernate=true), which only works on an instance
 * launched with hibernation configured; any other instance is stopped as before, and the reason
 * says so. The morning start is the same either way (StartInstances resumes a hibernated instance).
 */
import { formatTimestamp, TAG, type TagReading, type Tags } from '../../tags';
import type { InstanceFacts, InstanceTagFacts } from './facts';
import { rule } from './rule';

export type OffAction = 'stop' | 'hibernate';

export const ACTION_EXPECTED = 'stop or hibernate (how scale-to-zero turns the instance off; default stop)';

/** The tag trimmed, in any case; absent means stop. */
export function readOffAction(tags: Tags, resourceId: string): TagReading<OffAction> {
  const raw = tags[TAG.scaleToZeroAction];
  if (raw === undefined) return { kind: 'absent' };
  const value = raw.trim().toLowerCase();
  if (value === 'stop' || value === 'hibernate') return { kind: 'ok', value };
  return {
    kind: 'invalid',
    problem: { resourceId, tag: TAG.scaleToZeroAction, value: raw, expected: ACTION_EXPECTED },
  };
}

/** Asked to hibernate, but DescribeInstances says it was not launched with hibernation configured. */
export function hibernationNotConfigured(f: InstanceFacts): boolean {
  const action = readOffAction(f.tags, f.resourceId);
  return action.kind === 'ok' && action.value === 'hibernate' && f.instance.hibernationConfigured !== true;
}

// A value it cannot read might have meant either: never guessed, the instance is left alone.
export const actionUnreadable = rule<InstanceTagFacts>(
  'action-unreadable',
  'ScaleToZeroAction is neither stop nor hibernate: skipped and reported',
  (f) => {
    const action = readOffAction(f.tags, f.resourceId);
    return action.kind === 'invalid'
      ? {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroAction}=${JSON.stringify(action.problem.value)} is not readable; expected ${ACTION_EXPECTED}`,
          tagProblem: action.problem,
        }
      : undefined;
  },
);

export const hibernate = rule<InstanceFacts>(
  'hibernate',
  'off and running, ScaleToZeroAction=hibernate and hibernation configured: marked and hibernated',
  (f) => {
    const action = readOffAction(f.tags, f.resourceId);
    if (f.state.on || action.kind !== 'ok' || action.value !== 'hibernate') return undefined;
    if (f.instance.hibernationConfigured !== true) return undefined;
    return {
      outcome: 'stop',
      reason: `off since ${f.at} (schedule ${f.label}): hibernate${f.state.until ? ` until ${formatTimestamp(f.state.until)}` : ''}`,
      action: { kind: 'stop-instance', instanceId: f.resourceId, transition: f.transition, hibernate: true },
      instanceHoursSaved: f.hoursOff,
    };
  },
);
