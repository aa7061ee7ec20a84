/** The fleet's own events (shared/events.ts): run summaries with problems, and refused cleanups. */
import { createHash } from 'node:crypto';
import type {
  CleanupRefusedDetail,
  DeletedImage,
  RunFailure,
  RunSummaryDetail,
  SkippedResource,
} from '../../events';
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { consoleLink, detailOf, envelope, ignore, incidentKey, notify, str } from './common';

/** How many failures/skips are spelled out in the reason; the rest are counted. */
const LISTED = 10;

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter(
        (v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v),
      )
    : [];
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function fleetConsoleLink(fn: string, region: string): string | undefined {
  if (fn === 'scale-to-zero') return consoleLink(region, `/ec2/home?region=${region}#AutoScalingGroups:`);
  return consoleLink(region, `/ec2/home?region=${region}#Images:visibility=owned-by-me`);
}

/** Scale-to-zero's idle Elastic IPs as one line: "2, $0.01/h (estimate): 203.0.113.3 (…), …". */
function idleAddressesFact(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '';
  const v = value as Record<string, unknown>;
  const addresses = records(v.addresses);
  if (addresses.length === 0) return '';
  const listed = addresses
    .slice(0, LISTED)
    .map((a) => `${text(a.publicIp, 'unknown address')} (${text(a.reason, 'no reason given')})`);
  if (addresses.length > LISTED) listed.push(`and ${addresses.length - LISTED} more`);
  const perHour = typeof v.usdPerHour === 'number' ? `, $${v.usdPerHour}/h (estimate, never released)` : '';
  return `${addresses.length}${perHour}: ${listed.join(', ')}`;
}

/** "about $1.23 (estimate, compute only: storage still billed) for 27 DB instance-hours; 1 not estimated". */
function databaseSavingsFact(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '';
  const v = value as Record<string, unknown>;
  if (typeof v.usd !== 'number' || typeof v.dbInstanceHours !== 'number') return '';
  const unpriced = records(v.notEstimated).length;
  return `about $${v.usd} (estimate, compute only: storage is still billed) for ${v.dbInstanceHours} DB instance-hours stopped${unpriced > 0 ? `; ${unpriced} DB instance${unpriced === 1 ? '' : 's'} not estimated (see the run summary)` : ''}`;
}

export function normaliseRunSummary(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event) as Partial<RunSummaryDetail>;
  // Our own events, but still input: a malformed entry is shown as best it can be, never a crash.
  const failures: RunFailure[] = records(d.failures).map((f) => ({
    resourceId: text(f.resourceId, 'unknown resource'),
    action: text(f.action, 'unknown action'),
    message: text(f.message, 'no message'),
  }));
  const skipped: SkippedResource[] = records(d.skipped).map((s) => ({
    resourceId: text(s.resourceId, 'unknown resource'),
    tag: typeof s.tag === 'string' ? s.tag : undefined,
    value: typeof s.value === 'string' ? s.value : undefined,
    expected: typeof s.expected === 'string' ? s.expected : undefined,
    reason: text(s.reason, 'no reason given'),
  }));
  const deleted: DeletedImage[] = records(d.deleted).map((x) => ({
    imageId: text(x.imageId, 'unknown AMI'),
    name: typeof x.name === 'string' ? x.name : undefined,
    snapshotIds: Array.isArray(x.snapshotIds)
      ? x.snapshotIds.filter((s): s is string => typeof s === 'string')
      : [],
  }));
  const fn = typeof d.function === 'string' ? d.function : 'unknown function';
  if (fn === 'notifier') return ignore('run summaries of the notifier itself are not routed through it');
  if (failures.length === 0 && skipped.length === 0 && deleted.length === 0) {
    return ignore(`${fn} run summary is clean (no failures, nothing skipped, nothing deleted)`);
  }
  const env = envelope(event);
  const account = typeof d.accountId === 'string' ? d.accountId : env.account;
  const region = typeof d.region === 'string' ? d.region : env.region;
  const lines = [
    ...failures.slice(0, LISTED).map((f) => `${f.resourceId}: ${f.action} failed: ${f.message}`),
    ...skipped
      .slice(0, LISTED)
      .map((s) =>
        s.tag !== undefined
          ? `${s.resourceId}: skipped, tag ${s.tag}=${JSON.stringify(s.value ?? '')}${s.expected ? ` (expected ${s.expected})` : ''}: ${s.reason}`
          : `${s.resourceId}: skipped: ${s.reason}`,
      ),
  ];
  lines.push(...deleted.slice(0, LISTED).map(deletedLine));
  const unlisted =
    Math.max(0, failures.length - LISTED) +
    Math.max(0, skipped.length - LISTED) +
    Math.max(0, deleted.length - LISTED);
  if (unlisted > 0) lines.push(`... and ${unlisted} more in the run's log`);
  const parts = [
    failures.length > 0 ? plural(failures.length, 'failure') : undefined,
    skipped.length > 0 ? `${plural(skipped.length, 'resource')} skipped` : undefined,
    deleted.length > 0 ? `${plural(deleted.length, 'AMI')} deleted` : undefined,
  ].filter((p): p is string => p !== undefined);
  // The same set of problems on the next run is the same incident; a different set is a new one.
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        failures.map((f) => `${f.resourceId}|${f.action}`).sort(),
        skipped.map((s) => `${s.resourceId}|${s.tag ?? ''}`).sort(),
        deleted.map((x) => x.imageId).sort(),
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const resources = [
    ...failures.map((f) => f.resourceId),
    ...skipped.map((s) => s.resourceId),
    ...deleted.map((x) => x.imageId),
  ];
  const counts = d.counts && typeof d.counts === 'object' && !Array.isArray(d.counts) ? d.counts : {};
  return notify({
    severity: failures.length > 0 ? 'critical' : skipped.length > 0 ? 'warning' : 'info',
    title: `ec2-hygiene ${fn} run: ${parts.join(', ')}${d.dryRun ? ' (dry run)' : ''}`,
    whatFailed: `ec2-hygiene ${fn} run`,
    account,
    region,
    occurredAt: str(d as Record<string, unknown>, 'finishedAt') ?? env.occurredAt,
    resource: resources.length === 1 ? (resources[0] ?? '') : `${resources.length} resources`,
    reason: lines.join('\n'),
    consoleUrl: fleetConsoleLink(fn, region),
    incidentKey: incidentKey(account, region, 'ec2-hygiene', fn, fingerprint),
    facts: [
      { name: 'Dry run', value: d.dryRun ? 'yes' : 'no' },
      { name: 'Incomplete', value: d.incomplete ? 'yes (stopped early to stay in its time limit)' : '' },
      {
        name: 'Counts',
        value: Object.entries(counts)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', '),
      },
      { name: 'Idle Elastic IPs', value: idleAddressesFact(d.idleAddresses) },
      { name: 'Database savings', value: databaseSavingsFact(d.databaseSavings) },
    ],
  });
}

function deletedLine(x: DeletedImage): string {
  const name = x.name ? ` (${x.name})` : '';
  const snapshots =
    x.snapshotIds.length > 0
      ? `, with ${plural(x.snapshotIds.length, 'snapshot')} ${x.snapshotIds.join(', ')}`
      : '';
  return `${x.imageId}${name}: deregistered${snapshots}`;
}

export function normaliseCleanupRefused(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event) as Partial<CleanupRefusedDetail>;
  const env = envelope(event);
  const account = typeof d.accountId === 'string' ? d.accountId : env.account;
  const region = typeof d.region === 'string' ? d.region : env.region;
  return notify({
    severity: 'critical',
    title: `ec2-hygiene cleanup refused to delete anything in ${region}`,
    whatFailed: 'ec2-hygiene cleanup run',
    account,
    region,
    occurredAt: typeof d.at === 'string' ? d.at : env.occurredAt,
    resource: `AMIs of account ${account}`,
    reason: typeof d.reason === 'string' ? d.reason : 'The cleanup run gave no reason.',
    consoleUrl: fleetConsoleLink('cleanup', region),
    incidentKey: incidentKey(account, region, 'ec2-hygiene', 'cleanup-refused'),
    facts: [{ name: 'Newest LastUsedRuntime', value: d.newestLastUsedRuntime ?? 'none seen' }],
  });
}
