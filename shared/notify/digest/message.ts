/**
 * The weekly digest as one message: what the fleet did and saved last week, from the run summaries
 * the notifier received (the dashboard's metrics, summed over the week). Money is always an estimate.
 */
import type { Notification } from '../types';
import type { WeekPart, WeekTotals } from './store';
import { day } from './week';

const ORDER = ['tagger', 'cleanup', 'scale-to-zero', 'recovery', 'self-heal'];

/** Dashboard metric names as words: "AMIsDeleted" → "AMIs deleted". */
export function label(metric: string): string {
  return metric
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/ ([A-Z])(?=[a-z])/g, (_, c: string) => ` ${c.toLowerCase()}`);
}

const number = (n: number): string =>
  Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 });

const usd = (n: number): string =>
  n.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });

function sum(parts: WeekPart[], metric: string): number {
  return parts.reduce((n, p) => n + (p.metrics[metric] ?? 0), 0);
}

/** The week's figures per function, summed over regions, named as on the dashboard. */
function functionLine(fn: string, parts: WeekPart[]): string {
  const runs = parts.reduce((n, p) => n + p.runs, 0);
  const dry = parts.reduce((n, p) => n + p.dryRuns, 0);
  const regions = parts.map((p) => p.region).join(', ');
  const figures = new Map<string, number>();
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.metrics)) figures.set(k, (figures.get(k) ?? 0) + v);
  }
  const shown = [...figures]
    .filter(
      ([k, v]) =>
        v !== 0 && k !== 'ApiRequests' && k !== 'EstimatedSavingsUsd' && k !== 'EstimatedDatabaseSavingsUsd',
    )
    .map(([k, v]) => `${label(k)} ${number(v)}`);
  const dryText = dry > 0 ? ` and ${number(dry)} dry run${dry === 1 ? '' : 's'} (not counted)` : '';
  return `${fn} (${regions}): ${number(runs)} run${runs === 1 ? '' : 's'}${dryText}${shown.length > 0 ? `; ${shown.join(', ')}` : ''}`;
}

export function digestNotification(totals: WeekTotals, end: Date, fallbackAccount: string): Notification {
  const start = totals.week;
  const parts = totals.parts;
  const account = parts.find((p) => p.accountId)?.accountId ?? fallbackAccount;
  const regions = [...new Set(parts.map((p) => p.region))].sort();
  const lines: string[] = [];
  const saved = sum(parts, 'EstimatedSavingsUsd');
  const hours = sum(parts, 'EstimatedInstanceHoursSaved');
  if (hours > 0) {
    lines.push(
      `Saved about ${usd(saved)} (estimate): ${number(hours)} instance-hours asleep at on-demand list prices, Linux, before discounts`,
    );
  }
  const dbHours = sum(parts, 'EstimatedDbInstanceHoursSaved');
  if (dbHours > 0) {
    lines.push(
      `Saved about ${usd(sum(parts, 'EstimatedDatabaseSavingsUsd'))} on databases (estimate, compute only: storage is still billed): ${number(dbHours)} DB instance-hours stopped at on-demand list prices`,
    );
  }
  const amis = sum(parts, 'AMIsDeleted');
  const snapshots = sum(parts, 'SnapshotsDeleted');
  if (amis > 0 || snapshots > 0)
    lines.push(`Deleted ${number(amis)} AMIs and ${number(snapshots)} snapshots`);
  const failures = sum(parts, 'RunFailures');
  const refused = sum(parts, 'CleanupRefused');
  if (failures > 0 || refused > 0) {
    lines.push(
      `Needs a look: ${number(failures)} failed step${failures === 1 ? '' : 's'}${refused > 0 ? `, ${number(refused)} cleanup run${refused === 1 ? '' : 's'} refused` : ''} (the messages sent at the time say which)`,
    );
  }
  if (parts.length === 0) {
    lines.push(
      'No run summary reached the notifier this week: no function ran, or their events did not arrive.',
    );
  }
  const byFn = new Map<string, WeekPart[]>();
  for (const p of parts) byFn.set(p.fn, [...(byFn.get(p.fn) ?? []), p]);
  const fns = [...byFn.keys()].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  if (fns.length > 0) lines.push('', ...fns.map((fn) => functionLine(fn, byFn.get(fn) ?? [])));
  const missing = ORDER.filter((fn) => fn !== 'recovery' && fn !== 'self-heal' && !byFn.has(fn));
  if (parts.length > 0 && missing.length > 0) {
    lines.push(`No runs seen from: ${missing.join(', ')} (not deployed, or not running)`);
  }
  return {
    severity: 'info',
    title: `ec2-hygiene weekly digest, ${start} to ${day(new Date(end.getTime() - 1))}`,
    whatFailed: 'ec2-hygiene weekly digest',
    account,
    region: regions.length === 1 ? (regions[0] ?? '') : regions.length === 0 ? 'no region' : 'all regions',
    resource: `${parts.length} function/region pair${parts.length === 1 ? '' : 's'}`,
    reason: lines.join('\n'),
    incidentKey: `${account}/ec2-hygiene/weekly-digest/${start}`,
    occurredAt: end.toISOString(),
    facts: [
      { name: 'Week', value: `${start} 00:00 UTC to ${day(end)} 00:00 UTC` },
      { name: 'Regions', value: regions.join(', ') },
      {
        name: 'Source',
        value: 'the run summaries the notifier received (the dashboard has the same metrics)',
      },
    ].filter((f) => f.value !== ''),
  };
}
