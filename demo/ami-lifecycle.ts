/**
 * The AMI lifecycle story of `npm start`: a believable account on the local sandbox, the real
 * tagger and cleanup jobs run over two simulated weeks, and a plain account of what happened.
 * Every decision printed here is the plan's own reason; nothing is scripted but the account's events.
 */
import { createClients, destroyClients, type AwsClients } from '../shared/aws/clients';
import { deadlineBudget } from '../shared/budget';
import { loadSettings, type Settings } from '../shared/config';
import { runCleanup, type CleanupResult } from '../shared/jobs/cleanup';
import { runTagger } from '../shared/jobs/tagger';
import { PricingClient } from '@aws-sdk/client-pricing';
import { createSnapshotPriceBook, PRICING_ENDPOINT_REGION, snapshotPriceListLookup } from '../shared/pricing';
import type { LogLine } from '../shared/report';
import type { Sandbox } from '../sandbox/server';

const REGION = 'eu-west-1';
const FOREIGN_OWNER = '099720109477';
const DAY = 86_400_000;
const MINUTE = 60_000;

/** Day 0 of the story; AMIs were built before it. */
export const STORY_START = new Date('2026-11-02T00:00:00Z');

const at = (day: number, hhmm = '00:00') =>
  new Date(
    STORY_START.getTime() + day * DAY + Number(hhmm.slice(0, 2)) * 3_600_000 + Number(hhmm.slice(3)) * MINUTE,
  );
const daysBefore = (days: number) => new Date(STORY_START.getTime() - days * DAY);
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/**
 * The tagger was deployed before the story starts: its last run before day 0 is on every owned AMI,
 * so day 0 is not a first deploy (which would count as unwatched and hold every deletion a week).
 */
const TAGGED_BEFORE = { LastUsedRuntime: iso(new Date(STORY_START.getTime() - 2 * 3_600_000)) };

interface Story {
  names: Map<string, string>;
  /** Things that happen to the account on a given day, before that day's runs. */
  events: { day: number; time: string; say: string; act: () => void; done?: boolean }[];
  /** Simulated hours in which the tagger does not run (a broken deploy). */
  taggerDown: { from: Date; to: Date };
}

function seedAccount(sandbox: Sandbox): Story {
  const region = sandbox.state.region(REGION);
  const names = new Map<string, string>();
  const image = (name: string, ageDays: number, tags: Record<string, string>, extra = {}) => {
    const rec = region.addImage({
      name,
      creationDate: daysBefore(ageDays),
      tags: { ...TAGGED_BEFORE, ...tags },
      ...extra,
    });
    names.set(rec.id, name);
    return rec.id;
  };
  const optIn = { AutoCleanup: 'true', Family: 'web' };

  // Weekly web builds: the newest two are in use; the older ones lie around.
  image('web-2026-09-28', 35, optIn);
  const web1019 = image('web-2026-10-19', 14, optIn);
  const web1026 = image('web-2026-10-26', 7, optIn);
  // Batch workers: one AMI still run by a stopped instance (stopped still counts as in use).
  const batchOld = image('batch-2026-08-01', 93, { AutoCleanup: 'true', Family: 'batch' });
  const batchNew = image('batch-2026-10-30', 3, { AutoCleanup: 'true', Family: 'batch' });
  // A tools image: its stopped box is retired on day 0, and someone runs it again only while the
  // tagger is down.
  const tools = image('tools-2026-09-01', 62, { AutoCleanup: 'true' });
  const oldToolsBox = region.addInstance({ imageId: tools, state: 'stopped', tags: { Name: 'tools-box' } });
  // Not opted in: never touched, however old.
  image('golden-base-2025', 400, { Team: 'platform' });
  // Opted in but protected against deregistration by its owner: AWS's guard is respected.
  image('audit-2026-06-01', 150, { AutoCleanup: 'true' }, { deregistrationProtection: true });
  // Broken tag values: skipped and reported, never deleted.
  image('reports-2026-07-01', 120, { AutoCleanup: 'maybe' });
  image('etl-2026-07-15', 110, { AutoCleanup: 'true', LastUsed: 'yesterday' });
  // A vendor's AMI an instance runs: reported, never tagged (another account owns it).
  const vendor = region.addImage({ name: 'vendor-nat-appliance', ownerId: FOREIGN_OWNER, snapshotIds: [] });
  names.set(vendor.id, 'vendor-nat-appliance (another account)');

  region.addInstance({ imageId: web1026, state: 'running', tags: { Name: 'web-1' } });
  const batchBox = region.addInstance({
    imageId: batchOld,
    state: 'stopped',
    tags: { Name: 'batch-legacy' },
  });
  region.addInstance({ imageId: vendor.id, state: 'running', tags: { Name: 'nat' } });
  const lt = region.addLaunchTemplate({
    name: 'web',
    versions: [{ imageId: web1019 }, { imageId: web1026 }],
    defaultVersion: 1,
  });
  // A group scaled to zero still uses its AMI.
  region.addAutoScalingGroup({
    name: 'batch-workers',
    launchTemplate: { launchTemplateName: 'batch', version: '$Default' },
    minSize: 0,
    maxSize: 4,
    desiredCapacity: 0,
  });
  region.addLaunchTemplate({ name: 'batch', versions: [{ imageId: batchNew }] });

  let web1102 = '';
  let toolsBox = '';
  return {
    names,
    taggerDown: { from: at(1, '06:00'), to: at(2, '05:00') },
    events: [
      {
        day: 0,
        time: '12:00',
        say: 'the stopped tools-box is terminated; tools-2026-09-01 is no longer used',
        act: () => {
          const rec = region.getInstance(oldToolsBox.id);
          if (rec) rec.state = 'terminated';
        },
      },
      {
        day: 1,
        time: '10:00',
        say: 'while the tagger is down, someone launches a new tools-box from tools-2026-09-01',
        act: () => {
          toolsBox = region.addInstance({ imageId: tools, state: 'running', tags: { Name: 'tools-box' } }).id;
        },
      },
      {
        day: 1,
        time: '18:00',
        say: 'tools-box is terminated: no tagger run ever saw tools-2026-09-01 in use',
        act: () => {
          const rec = region.getInstance(toolsBox);
          if (rec) rec.state = 'terminated';
        },
      },
      {
        day: 5,
        time: '10:00',
        say: 'a new web build web-2026-11-07 replaces the web launch template (versions web-2026-10-26 and web-2026-11-07): web-2026-10-19 (was $Default) is no longer used',
        act: () => {
          web1102 = image('web-2026-11-07', -5, optIn);
          // Every version of a template is a rollback target, so the old AMI stops counting as in use
          // only when no version names it any more: the team replaces the template.
          region.launchTemplateTable.delete(lt.id);
          region.addLaunchTemplate({
            name: 'web-v2',
            versions: [{ imageId: web1026 }, { imageId: web1102 }],
            defaultVersion: 2,
          });
        },
      },
      {
        day: 4,
        time: '09:00',
        say: 'the stopped batch-legacy instance is terminated; batch-2026-08-01 is no longer used',
        act: () => {
          const rec = region.getInstance(batchBox.id);
          if (rec) rec.state = 'terminated';
        },
      },
      {
        day: 1,
        time: '06:00',
        say: 'a broken deploy stops the tagger until day 2 05:00 (LastUsedRuntime goes stale)',
        act: () => undefined,
      },
    ],
  };
}

/**
 * Deployed, the tagger runs every 20 minutes with a 60-minute freshness window. The story runs it
 * every two hours with a 150-minute window (still inside the settings' bounds), so two runs in a row
 * are within the window as deployed: the same outcome, a sixth of the requests.
 */
function taggerRunsAt(minuteOfDay: number): boolean {
  return minuteOfDay % 120 === 0;
}

export interface AmiStoryResult {
  lines: string[];
  deletedImages: string[];
  keptImages: string[];
  refusedRuns: number;
  cleanupRuns: number;
  taggerRuns: number;
  /** The EMF lines the runs wrote (shared/metrics.ts), in order. */
  metrics: LogLine[];
  /** Snapshot storage the cleanup runs freed (an upper bound) and its estimated USD a month. */
  snapshotSavings: { gib: number; usdPerMonth: number };
}

export async function runAmiLifecycleStory(
  sandbox: Sandbox,
  options: { days?: number } = {},
): Promise<AmiStoryResult> {
  const days = options.days ?? 14;
  const story = seedAccount(sandbox);
  const region = sandbox.state.region(REGION);
  const initialImages = region
    .images()
    .filter((i) => i.ownerId === sandbox.state.accountId)
    .map((i) => i.id);
  const lines: string[] = [];
  const say = (s = '') => lines.push(s);
  const name = (id: string) => story.names.get(id) ?? id;

  const baseSettings: Settings = {
    regions: [REGION],
    retentionDays: 7,
    freshnessMinutes: 150,
    dryRun: false,
    eventBusName: 'default',
    checkImageReferences: true,
    maxAttempts: 4,
    // Retirement in stages, told when configured: DEPRECATE_GRACE_DAYS=3 DISABLE_GRACE_DAYS=3 npm start
    ...stagesFromEnv(),
    // Notice before deletion, as deployed (cleanupNoticeDays defaults to 3).
    noticeDays: 3,
  };
  // Each job signs as its own function: the sandbox holds it to that function's IAM role.
  const clients = new Map<string, AwsClients>();
  const clientsFor = (job: 'tagger' | 'cleanup') => (r: string) => {
    let c = clients.get(`${job}/${r}`);
    if (!c) {
      c = createClients(r, { maxAttempts: baseSettings.maxAttempts, credentials: sandbox.credentials(job) });
      clients.set(`${job}/${r}`, c);
    }
    return c;
  };
  // Only the metrics lines are kept: the story prints its own account of the decisions.
  const metrics: LogLine[] = [];
  const quiet = (line: LogLine) => {
    if ('_aws' in line) metrics.push(line);
  };
  const deps = (job: 'tagger' | 'cleanup', now: Date) => ({
    clientsFor: clientsFor(job),
    settings: baseSettings,
    now,
    log: quiet,
    budget: deadlineBudget(Number.POSITIVE_INFINITY),
  });
  // Cleanup prices the snapshot storage it frees from the Price List API, signed as cleanup.
  const pricing = new PricingClient({
    region: PRICING_ENDPOINT_REGION,
    credentials: sandbox.credentials('cleanup'),
    maxAttempts: 2,
  });
  let storyNow = STORY_START.getTime();
  const snapshotPrices = createSnapshotPriceBook({
    lookup: snapshotPriceListLookup(pricing),
    clock: () => storyNow,
  });
  const snapshotSavings = { gib: 0, usdPerMonth: 0 };

  say(
    `Account ${sandbox.state.accountId}, region ${REGION}: ${initialImages.length} owned AMIs, 4 instances, 2 launch templates, 1 Auto Scaling group at 0.`,
  );
  say(
    'Cleanup daily at 03:00 (retention 7 days, freshness 150 minutes); the tagger every 2 hours (deployed: every',
  );
  say('20 minutes with a 60-minute window; ages are counted in days, so the story comes out the same).');
  say();

  let taggerRuns = 0;
  let cleanupRuns = 0;
  let refusedRuns = 0;
  const outageNoted = new Set<string>();
  const deletedOn = new Map<string, number>();
  for (let day = 0; day < days; day++) {
    for (let minute = 0; minute < 24 * 60; minute += 20) {
      const now = new Date(at(day).getTime() + minute * MINUTE);
      for (const e of story.events.filter((ev) => ev.day === day && at(day, ev.time) <= now && !ev.done)) {
        e.act();
        e.done = true;
        say(`day ${String(day).padStart(2)} ${e.time}  ${e.say}`);
      }
      if (minute === 3 * 60) {
        storyNow = now.getTime();
        const result = await runCleanup({ ...deps('cleanup', now), snapshotPrices });
        cleanupRuns++;
        snapshotSavings.gib += result.summaries[0]?.counts.snapshotGiBDeleted ?? 0;
        snapshotSavings.usdPerMonth += result.summaries[0]?.counts.estimatedSnapshotSavingsUsdPerMonth ?? 0;
        refusedRuns += reportCleanup(result, day, name, say, deletedOn, outageNoted);
      }
      if (now >= story.taggerDown.from && now < story.taggerDown.to) continue;
      if (!taggerRunsAt(minute)) continue;
      await runTagger(deps('tagger', now));
      taggerRuns++;
    }
  }
  for (const c of clients.values()) destroyClients(c);
  pricing.destroy();
  snapshotSavings.usdPerMonth = Math.round(snapshotSavings.usdPerMonth * 100) / 100;

  say();
  say('Where every AMI stands after two weeks:');
  const remaining = new Set(region.images().map((i) => i.id));
  const rows = [...story.names.keys()].map((id) => {
    const rec = region.getImage(id);
    const status = remaining.has(id) ? 'kept' : `deleted on day ${deletedOn.get(id) ?? '?'}`;
    const lastUsed = rec?.tags.LastUsed ?? '';
    return [name(id), status, lastUsed ? `LastUsed ${lastUsed}` : ''];
  });
  const width = Math.max(...rows.map((r) => r[0]!.length));
  for (const [n, status, extra] of rows) say(`  ${n!.padEnd(width)}  ${status!.padEnd(18)} ${extra}`);
  return {
    lines,
    deletedImages: [...deletedOn.keys()],
    keptImages: [...story.names.keys()].filter((id) => remaining.has(id)),
    refusedRuns,
    cleanupRuns,
    taggerRuns,
    metrics,
    snapshotSavings,
  };
}

/** Prints the interesting part of one cleanup run; returns 1 when the run refused to delete. */
function reportCleanup(
  result: CleanupResult,
  day: number,
  name: (id: string) => string,
  say: (s?: string) => void,
  deletedOn: Map<string, number>,
  outageNoted: Set<string>,
): number {
  const prefix = `day ${String(day).padStart(2)} 03:00  cleanup:`;
  const r = result.regions[0];
  if (!r) return 0;
  if (r.refused) {
    say(`${prefix} REFUSED to delete anything: ${r.refused.reason.replace(/^refusing to delete: /, '')}`);
    return 1;
  }
  const deleted = r.applied?.deregistered ?? [];
  for (const id of deleted) deletedOn.set(id, day);
  const decisions = r.plan?.decisions ?? [];
  const deletes = decisions.filter((d) => d.action === 'delete' && deleted.includes(d.imageId));
  // Kept only because the tagger was not watching: said once per AMI, the first time.
  for (const d of decisions) {
    if (d.action !== 'keep' || !d.reason.startsWith('use not observed') || outageNoted.has(d.imageId))
      continue;
    outageNoted.add(d.imageId);
    say(`${prefix} kept ${name(d.imageId)} — ${d.reason}`);
  }
  const skips = decisions.filter((d) => d.action === 'skip');
  if (deletes.length === 0)
    say(
      `${prefix} nothing to delete (${decisions.length} AMIs looked at, ${skips.length} skipped for bad tags)`,
    );
  for (const d of decisions) {
    if (d.action !== 'deprecate' && d.action !== 'disable') continue;
    say(`${prefix} ${d.action === 'deprecate' ? 'deprecated' : 'disabled'} ${name(d.imageId)} — ${d.reason}`);
  }
  for (const m of r.plan?.stageMoves ?? []) {
    if (m.kind === 'restore') say(`${prefix} gave back ${name(m.imageId)} — ${m.reason}`);
  }
  for (const d of deletes) {
    const snaps = r.applied?.snapshotsDeleted.length ?? 0;
    say(
      `${prefix} deleted ${name(d.imageId)} (${d.imageId}) — ${d.reason}; snapshots deleted this run: ${snaps}`,
    );
  }
  const freed = r.summary.counts.snapshotGiBDeleted ?? 0;
  const price = r.summary.snapshotSavings?.price;
  if (freed > 0) {
    const money = price
      ? `, an estimated $${(r.summary.counts.estimatedSnapshotSavingsUsdPerMonth ?? 0).toFixed(2)} a month at $${price.usdPerGiBMonth}/GiB-month (${price.source})`
      : ', unpriced (no snapshot price for this region)';
    say(
      `${prefix} snapshot storage freed: ${freed} GiB at most (the source volumes' size; snapshots are incremental)${money}`,
    );
  }
  if (day === 0) {
    say('                 what it decided about each AMI on its first run:');
    for (const d of decisions)
      say(`                   ${d.action.padEnd(6)} ${name(d.imageId)}: ${d.reason}`);
  }
  for (const f of r.summary.failures) say(`${prefix} failure on ${f.resourceId} (${f.action}): ${f.message}`);
  if (r.notice) {
    // The Deletion Notice event the notifier turns into one message (docs/cleanup.md#notice-before-deletion).
    const list = r.notice.images.map((i) => `${name(i.imageId)} (${i.step} from ${i.on.slice(0, 10)})`);
    say(
      `${prefix} notice: retiring within ${r.notice.noticeDays} days: ${list.join(', ')}; AutoCleanupKeepUntil=<date> keeps one`,
    );
  }
  return 0;
}

/** The stage settings from the environment, read as the deployed function reads them (shared/config.ts). */
function stagesFromEnv(): Pick<Settings, 'deprecateGraceDays' | 'disableGraceDays'> {
  const { deprecateGraceDays, disableGraceDays } = loadSettings({
    REGIONS: REGION,
    DEPRECATE_GRACE_DAYS: process.env.DEPRECATE_GRACE_DAYS,
    DISABLE_GRACE_DAYS: process.env.DISABLE_GRACE_DAYS,
  });
  return {
    ...(deprecateGraceDays !== undefined && { deprecateGraceDays }),
    ...(disableGraceDays !== undefined && { disableGraceDays }),
  };
}
