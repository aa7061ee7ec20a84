/**
 * Cleanup's deletion notice (shared/events.ts DeletionNoticeDetail): one message listing the AMIs whose
 * next retirement step is near, with the date of each and how to keep one.
 */
import { createHash } from 'node:crypto';
import type { DeletionNoticeDetail, RetirementStep, UpcomingRetirement } from '../../events';
import { TAG } from '../../tags';
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { consoleLink, detailOf, envelope, ignore, incidentKey, notify } from './common';

/** AMIs spelled out in the message; the rest are counted (the run's log and `npm run plan` list all). */
const LISTED = 20;

const STEP_TEXT: Record<RetirementStep, string> = {
  deprecate: 'deprecated (new launches warned)',
  disable: 'disabled (nothing can launch from it)',
  deregister: 'deregistered with its snapshots',
};

const STEPS = new Set<string>(Object.keys(STEP_TEXT));

/** The notice's AMIs that can be read; a malformed entry is dropped, never a crash. */
function upcoming(value: unknown): UpcomingRetirement[] {
  if (!Array.isArray(value)) return [];
  const out: UpcomingRetirement[] = [];
  for (const v of value) {
    if (v === null || typeof v !== 'object') continue;
    const r = v as Record<string, unknown>;
    if (typeof r.imageId !== 'string' || typeof r.on !== 'string') continue;
    if (typeof r.step !== 'string' || !STEPS.has(r.step)) continue;
    out.push({
      imageId: r.imageId,
      step: r.step as RetirementStep,
      on: r.on,
      ...(typeof r.name === 'string' && { name: r.name }),
      ...(typeof r.lastActivity === 'string' && { lastActivity: r.lastActivity }),
    });
  }
  return out.sort((a, b) => a.on.localeCompare(b.on) || a.imageId.localeCompare(b.imageId));
}

const day = (iso: string): string => (/^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : iso);

function line(r: UpcomingRetirement): string {
  const name = r.name ? ` (${r.name})` : '';
  const since = r.lastActivity ? `, unused since ${day(r.lastActivity)}` : '';
  return `${r.imageId}${name}: ${STEP_TEXT[r.step]} from ${day(r.on)}${since}`;
}

/** A date a month after the notice, as the example value of the keep tag. */
function exampleKeepDate(at: string): string {
  const t = Date.parse(at);
  const base = Number.isNaN(t) ? Date.now() : t;
  return new Date(base + 30 * 24 * 3600_000).toISOString().slice(0, 10);
}

export function normaliseDeletionNotice(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event) as Partial<DeletionNoticeDetail>;
  const env = envelope(event);
  const images = upcoming(d.images);
  if (images.length === 0) return ignore('deletion notice lists no AMI');
  const account = typeof d.accountId === 'string' ? d.accountId : env.account;
  const region = typeof d.region === 'string' ? d.region : env.region;
  const at = typeof d.at === 'string' ? d.at : env.occurredAt;
  const days = typeof d.noticeDays === 'number' ? d.noticeDays : undefined;
  const omitted = (typeof d.omitted === 'number' ? d.omitted : 0) + Math.max(0, images.length - LISTED);
  const total = images.length + (typeof d.omitted === 'number' ? d.omitted : 0);
  const first = images[0] as UpcomingRetirement;
  const keep = TAG.autoCleanupKeepUntil;
  const lines = images.slice(0, LISTED).map(line);
  if (omitted > 0) lines.push(`... and ${omitted} more (npm run plan, or the cleanup run's log, lists them)`);
  lines.push(
    '',
    `To keep one, tag it ${keep}=<date>: it is kept through that day (UTC), e.g.`,
    `aws ec2 create-tags --region ${region} --resources ${first.imageId} --tags Key=${keep},Value=${exampleKeepDate(at)}`,
    `A value that is not a date keeps the AMI too, and is reported until it is fixed. Using the AMI (an instance, a launch template) also keeps it.`,
  );
  // The same AMIs at the same steps on the same days are one notice; a changed list is a new one.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(images.map((r) => `${r.imageId}|${r.step}|${day(r.on)}`)))
    .digest('hex')
    .slice(0, 16);
  const within = days === undefined ? 'soon' : `within ${days} day${days === 1 ? '' : 's'}`;
  return notify({
    severity: 'warning',
    title: `ec2-hygiene cleanup: ${total} AMI${total === 1 ? '' : 's'} in ${region} retire${total === 1 ? 's' : ''} ${within}${d.dryRun ? ' (dry run: nothing will be deleted)' : ''}`,
    whatFailed: 'ec2-hygiene cleanup notice',
    account,
    region,
    occurredAt: at,
    resource: images.length === 1 ? first.imageId : `${total} AMIs`,
    reason: lines.join('\n'),
    consoleUrl: consoleLink(region, `/ec2/home?region=${region}#Images:visibility=owned-by-me`),
    incidentKey: incidentKey(account, region, 'ec2-hygiene', 'deletion-notice', fingerprint),
    facts: [
      { name: 'First step', value: `${first.imageId} on ${day(first.on)}` },
      { name: 'Keep tag', value: `${keep}=<ISO date>` },
    ],
  });
}
