/**
 * The group phase of an apply: saved sizes, then one update per group, then the transition tags,
 * then the saved sizes of restored groups dropped. A group is scaled to 0 only once its sizes are on it.
 */
import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';

import { formatCapacity, transitionValue, type ScaleAction } from '../../plan/scale';
import { TAG } from '../../tags';
import { mapWithConcurrency } from '../concurrency';
import { errorText } from '../../errors';
import { chunk } from '../tagging';
import {
  describe,
  outOfTime,
  type Ctx,
  type GroupAction,
  type RecordAction,
  type ScaleDown,
} from './context';

/**
 * Tags per Auto Scaling CreateOrUpdateTags / DeleteTags call (each tag names its group, so groups
 * with different values share a call): no maximum is documented; 50 is the largest batch Auto
 * Scaling documents for its batch APIs, and bounds what one refused call holds up.
 */
export const GROUP_TAG_BATCH = 50;

function groupTag(group: string, key: string, value: string) {
  return {
    ResourceType: 'auto-scaling-group',
    ResourceId: group,
    Key: key,
    Value: value,
    PropagateAtLaunch: false,
  };
}

function groupOf(a: GroupAction | RecordAction): string {
  return a.kind === 'record-transition' ? a.resourceId : a.group;
}

export async function applyGroupActions(ctx: Ctx, actions: readonly ScaleAction[], concurrency: number) {
  const downs = actions.filter((a): a is ScaleDown => a.kind === 'scale-group-to-zero');
  const restores = actions.filter(
    (a): a is Extract<ScaleAction, { kind: 'restore-group' }> => a.kind === 'restore-group',
  );
  const records = actions.filter(
    (a): a is RecordAction => a.kind === 'record-transition' && a.resourceType === 'auto-scaling-group',
  );

  // Remember first: a group is scaled to 0 only once its sizes are on it, for the restore.
  const saved: ScaleDown[] = [];
  for (const part of chunk(downs, GROUP_TAG_BATCH)) {
    if (outOfTime(ctx, part)) continue;
    const tags = part.map((a) => groupTag(a.group, TAG.scaleToZeroSavedCapacity, formatCapacity(a.saved)));
    const err = await writeGroupTags(ctx, tags);
    if (err === undefined) saved.push(...part);
    else {
      for (const a of part) {
        ctx.result.failures.push({
          resourceId: a.group,
          action: 'CreateOrUpdateTags',
          message: `could not save ${TAG.scaleToZeroSavedCapacity}=${formatCapacity(a.saved)} (${err}), so it was not scaled to 0; the next run tries again`,
        });
      }
    }
  }

  const updated = (
    await mapWithConcurrency<GroupAction, GroupAction | undefined>(
      [...saved, ...restores],
      concurrency,
      (a) => updateGroup(ctx, a),
    )
  ).filter((a): a is GroupAction => a !== undefined);
  ctx.result.done.push(...updated);

  // Bookkeeping for what already changed is written even when time is short: the run's safety
  // margin covers a call or two, and it saves the next run from re-planning those groups.
  const bookkeeping = outOfTime(ctx, records) ? [] : records;
  for (const part of chunk([...updated, ...bookkeeping], GROUP_TAG_BATCH)) {
    await recordGroupTransitions(ctx, part);
  }

  // A restored group no longer needs its saved sizes. Dropped even if its transition tag failed:
  // without them the next run only records the transition rather than restoring a second time.
  // One restored for a maintenance window keeps them: it goes back to 0 when the window ends.
  const restored = updated.filter((a) => a.kind === 'restore-group' && !a.patch);
  for (const part of chunk(restored, GROUP_TAG_BATCH)) {
    const tags = part.map((a) => ({
      ...groupTag(a.group, TAG.scaleToZeroSavedCapacity, ''),
      Value: undefined,
    }));
    try {
      await ctx.send(() => ctx.clients.autoScaling.send(new DeleteTagsCommand({ Tags: tags })));
    } catch (err) {
      // The group is back at its sizes; a leftover tag is only overwritten by the next scale-down.
      for (const a of part) {
        ctx.result.failures.push({
          resourceId: a.group,
          action: 'DeleteTags',
          message: `restored, but could not remove ${TAG.scaleToZeroSavedCapacity} (${errorText(err)})`,
        });
      }
    }
  }
}

/**
 * Writes the transition records of a batch of groups; a refused batch is split in halves down to
 * single groups, so one bad group does not leave the others unrecorded: a group scaled to 0 without
 * its record is not restored automatically (see the plan's trust model).
 */
async function recordGroupTransitions(ctx: Ctx, part: (GroupAction | RecordAction)[]): Promise<void> {
  const tags = part.map((a) =>
    groupTag(groupOf(a), TAG.scaleToZeroLastTransition, transitionValue(a, ctx.now)),
  );
  const err = await writeGroupTags(ctx, tags);
  if (err === undefined) {
    ctx.result.done.push(...part.filter((a) => a.kind === 'record-transition'));
    return;
  }
  if (part.length > 1) {
    const mid = Math.ceil(part.length / 2);
    for (const half of [part.slice(0, mid), part.slice(mid)]) await recordGroupTransitions(ctx, half);
    return;
  }
  const a = part[0]!;
  ctx.result.failures.push({
    resourceId: groupOf(a),
    action: 'CreateOrUpdateTags',
    message:
      a.kind === 'record-transition'
        ? `${describe(a)} failed (${err}); the next run tries again`
        : a.kind === 'scale-group-to-zero'
          ? `${describe(a)} worked, but ${TAG.scaleToZeroLastTransition} could not be written (${err}); without that record it is not restored automatically: set its sizes back by hand (${formatCapacity(a.saved)})`
          : `${describe(a)} worked, but ${TAG.scaleToZeroLastTransition} could not be written (${err}); the next run finds it on and records it`,
  });
}

/** One CreateOrUpdateTags call; the error text when it failed. */
async function writeGroupTags(ctx: Ctx, tags: ReturnType<typeof groupTag>[]): Promise<string | undefined> {
  try {
    await ctx.send(() => ctx.clients.autoScaling.send(new CreateOrUpdateTagsCommand({ Tags: tags })));
    return undefined;
  } catch (err) {
    return errorText(err);
  }
}

/** UpdateAutoScalingGroup names one group, so each group is its own call; undefined when not done. */
async function updateGroup(ctx: Ctx, a: GroupAction): Promise<GroupAction | undefined> {
  if (outOfTime(ctx, [a])) return undefined;
  const sizes = a.kind === 'scale-group-to-zero' ? { min: 0, desired: 0, max: 0 } : a.restore;
  try {
    await ctx.send(() =>
      ctx.clients.autoScaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: a.group,
          MinSize: sizes.min,
          DesiredCapacity: sizes.desired,
          MaxSize: sizes.max,
        }),
      ),
    );
    return a;
  } catch (err) {
    ctx.result.failures.push({
      resourceId: a.group,
      action: 'UpdateAutoScalingGroup',
      message: `${describe(a)} failed (${errorText(err)}); the next run tries again`,
    });
    return undefined;
  }
}
