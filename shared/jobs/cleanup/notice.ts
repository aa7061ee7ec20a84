/**
 * Cleanup's deletion notice (issue "notice before anything goes"): the AMIs whose next retirement step
 * (deprecate, disable, deregister) falls within `noticeDays`, from the plan's projected timelines, so
 * their owners can keep one before it happens. One event per run and region, only when it lists any.
 */
import type { Image } from '../../domain';
import type { DeletionNoticeDetail, RetirementStep, UpcomingRetirement } from '../../events';
import type { CleanupPlan } from '../../plan/cleanup';
import { formatTimestamp } from '../../tags';

const DAY_MS = 24 * 3600_000;

/** AMIs named in one event; the rest are counted (EventBridge entries are at most 256 KB). */
export const MAX_NOTICE_IMAGES = 200;

export interface NoticeInput {
  plan: CleanupPlan;
  images: readonly Image[];
  now: Date;
  noticeDays: number;
  dryRun: boolean;
  region: string;
  accountId: string;
}

export function deletionNotice(input: NoticeInput): DeletionNoticeDetail | undefined {
  const { plan, now, noticeDays } = input;
  // A refused run does nothing, and will do nothing until the tagger is trusted again: no dates to give.
  if (noticeDays <= 0 || plan.refused) return undefined;
  const horizon = now.getTime() + noticeDays * DAY_MS;
  const names = new Map(input.images.map((i) => [i.id, i.name]));
  const upcoming: UpcomingRetirement[] = [];
  for (const [imageId, t] of plan.retirements) {
    const steps: [RetirementStep, Date | undefined][] = [
      ['deprecate', t.deprecatedOn],
      ['disable', t.disabledOn],
      ['deregister', t.deletedOn],
    ];
    // The next step still to come: what this run did is in its summary, not in a notice.
    const next = steps.find(([, at]) => at !== undefined && at.getTime() > now.getTime());
    if (!next || next[1]!.getTime() > horizon) continue;
    const name = names.get(imageId);
    upcoming.push({ imageId, ...(name ? { name } : {}), step: next[0], on: formatTimestamp(next[1]!) });
  }
  if (upcoming.length === 0) return undefined;
  upcoming.sort((a, b) => a.on.localeCompare(b.on) || a.imageId.localeCompare(b.imageId));
  const listed = upcoming.slice(0, MAX_NOTICE_IMAGES);
  return {
    region: input.region,
    accountId: input.accountId,
    at: formatTimestamp(now),
    noticeDays,
    dryRun: input.dryRun,
    images: listed,
    ...(upcoming.length > listed.length ? { omitted: upcoming.length - listed.length } : {}),
  };
}
