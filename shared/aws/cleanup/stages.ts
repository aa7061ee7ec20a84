/**
 * The apply step's retirement stage moves (shared/plan/cleanup/stages.ts). Forward: the stage tags
 * first, then EnableImageDeprecation and DisableImage, so that EC2 never shows a stage its tag does
 * not date (a failed call removes the tag it wrote again). Back: EnableImage and
 * DisableImageDeprecation first, then the tags, because the role allows those two only on AMIs that
 * still carry cleanup's stage tags. One failure is recorded and the run goes on.
 */
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DisableImageCommand,
  DisableImageDeprecationCommand,
  EnableImageCommand,
  EnableImageDeprecationCommand,
} from '@aws-sdk/client-ec2';

import type { PlannedStageMove } from '../../plan/cleanup';
import { TAG } from '../../tags';
import { mapWithConcurrency } from '../concurrency';
import { chunk, CREATE_TAGS_MAX_RESOURCES } from '../tagging';
import { outOfTime, recordFailure, type ApplyRun } from './run';

/**
 * Restores and resets first (they only ever give an AMI back), then the forward moves: their stage
 * tags in batches (one CreateTags for up to 1000 AMIs with the same tags and time), then each AMI's
 * EnableImageDeprecation / DisableImage, which EC2 takes one AMI at a time.
 */
export async function applyStageMoves(run: ApplyRun, moves: readonly PlannedStageMove[]): Promise<void> {
  const back = moves.filter((m) => m.kind === 'restore' || m.kind === 'reset');
  const ahead = moves.filter((m) => m.kind === 'deprecate' || m.kind === 'disable');
  await mapWithConcurrency(back, run.concurrency, (m) =>
    outOfTime(run, m.imageId, 'image', stepName(m)) ? Promise.resolve() : moveBack(run, m),
  );
  const tagged = await writeStageTags(
    run,
    ahead.filter((m) => !outOfTime(run, m.imageId, 'image', stepName(m))),
  );
  await mapWithConcurrency(tagged, run.concurrency, (m) =>
    outOfTime(run, m.imageId, 'image', m.deprecate ? 'EnableImageDeprecation' : 'DisableImage')
      ? untag(run, m, m.writeTags)
      : moveForward(run, m),
  );
}

/** The forward moves whose stage tags were written, batched by the tags and time they write. */
async function writeStageTags(
  run: ApplyRun,
  moves: readonly PlannedStageMove[],
): Promise<PlannedStageMove[]> {
  const groups = new Map<string, PlannedStageMove[]>();
  for (const m of moves) {
    const key = `${m.at}\u0000${m.writeTags.join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const written: PlannedStageMove[] = [];
  for (const group of groups.values()) {
    for (const part of chunk(group, CREATE_TAGS_MAX_RESOURCES)) {
      const first = part[0]!;
      try {
        await run.clients.ec2.send(
          new CreateTagsCommand({
            Resources: part.map((m) => m.imageId),
            Tags: first.writeTags.map((Key) => ({ Key, Value: first.at })),
          }),
        );
        written.push(...part);
      } catch (err) {
        for (const m of part) {
          recordFailure(
            run,
            m.imageId,
            'image',
            'CreateTags',
            err,
            'the AMI stays in its stage; the next run tries again',
          );
        }
      }
    }
  }
  return written;
}

function stepName(m: PlannedStageMove): string {
  return m.kind === 'restore' ? 'EnableImage' : m.kind === 'reset' ? 'DeleteTags' : 'CreateTags';
}

/** One call; false (recorded) when it failed. */
async function call(
  run: ApplyRun,
  m: PlannedStageMove,
  action: string,
  send: () => Promise<unknown>,
  then: string,
): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (err) {
    recordFailure(run, m.imageId, 'image', action, err, then);
    return false;
  }
}

/** After its stage tags were written (writeStageTags): EC2's own stage. */
async function moveForward(run: ApplyRun, m: PlannedStageMove): Promise<void> {
  const { ec2 } = run.clients;
  const ImageId = m.imageId;
  if (m.deprecate) {
    const ok = await call(
      run,
      m,
      'EnableImageDeprecation',
      () => ec2.send(new EnableImageDeprecationCommand({ ImageId, DeprecateAt: new Date(m.at) })),
      'the AMI stays in its stage and its stage tags are removed again; the next run tries again',
    );
    if (!ok) return untag(run, m, m.writeTags);
  }
  if (m.disable) {
    const ok = await call(
      run,
      m,
      'DisableImage',
      () => ec2.send(new DisableImageCommand({ ImageId })),
      `the AMI stays available and its ${TAG.autoCleanupDisabledAt} tag is removed again; the next run tries again`,
    );
    if (!ok) return untag(run, m, [TAG.autoCleanupDisabledAt]);
  }
  if (m.deprecate) run.result.deprecated.push(ImageId);
  if (m.disable) run.result.disabled.push(ImageId);
  run.result.outcomes.push({
    resourceId: ImageId,
    kind: 'image',
    action: m.kind === 'disable' ? 'disabled' : 'deprecated',
    reason: m.reason,
  });
}

/** Best effort: a tag left behind disagrees with EC2, and the next run reports and removes it. */
async function untag(run: ApplyRun, m: PlannedStageMove, keys: readonly string[]): Promise<void> {
  await call(
    run,
    m,
    'DeleteTags',
    () =>
      run.clients.ec2.send(
        new DeleteTagsCommand({ Resources: [m.imageId], Tags: keys.map((Key) => ({ Key })) }),
      ),
    `${keys.join(' and ')} stays on the AMI without the stage EC2 would show; the next run reports and removes it`,
  );
}

async function moveBack(run: ApplyRun, m: PlannedStageMove): Promise<void> {
  const { ec2 } = run.clients;
  const ImageId = m.imageId;
  const keep = 'the AMI keeps its stage tags and the next run tries again';
  if (
    m.enable &&
    !(await call(run, m, 'EnableImage', () => ec2.send(new EnableImageCommand({ ImageId })), keep))
  ) {
    return;
  }
  if (
    m.cancelDeprecation &&
    !(await call(
      run,
      m,
      'DisableImageDeprecation',
      () => ec2.send(new DisableImageDeprecationCommand({ ImageId })),
      keep,
    ))
  ) {
    return;
  }
  const removed = await call(
    run,
    m,
    'DeleteTags',
    () =>
      ec2.send(new DeleteTagsCommand({ Resources: [ImageId], Tags: m.removeTags.map((Key) => ({ Key })) })),
    'its stage tags stay; the next run reports them if EC2 disagrees, and removes them',
  );
  if (!removed) return;
  if (m.kind === 'restore') run.result.restored.push(ImageId);
  else run.result.stageResets.push(ImageId);
  run.result.outcomes.push({
    resourceId: ImageId,
    kind: 'image',
    action: m.kind === 'restore' ? 'restored' : 'stage-reset',
    reason: m.reason,
  });
}
