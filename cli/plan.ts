/**
 * `npm run plan -- [--region eu-west-1[,us-east-1]] [--profile NAME] [--json]`: what the tagger and
 * the cleanup would do in a real account right now, as a table or as JSON. Read-only by construction:
 * it calls the inventory reader (Describe calls only) and the pure plans, never an apply step.
 */
import { parseArgs } from 'node:util';
import { createClients, destroyClients } from '../shared/aws/clients';
import { readImageInventory, usageOf } from '../shared/aws/inventory';
import { errorText } from '../shared/errors';
import { cleanupSettingsFrom, readAndPlan } from '../shared/jobs/cleanup';
import { readRecycleBin } from '../shared/jobs/cleanup/reads';
import { versionsOption } from '../shared/jobs/common';
import { loadSettings, type Settings } from '../shared/config';
import { readScaleInventory, type ScaleInventory } from '../shared/aws/scale';
import type { AwsClients } from '../shared/aws/clients';
import type { RunFailure, SkippedResource } from '../shared/events';
import { readPatchWindows } from '../shared/jobs/scale-patch';
import type { CleanupPlan } from '../shared/plan/cleanup';
import { planScale, type ScalePlan } from '../shared/plan/scale';
import { loadScaleSettings, type ScaleSettings } from '../shared/schedule';
import { planTagging, type TaggingPlan } from '../shared/plan/tagging';
import { parseTimestamp, TIMESTAMP_EXPECTED } from '../shared/tags';

const USAGE = `usage: npm run plan -- [options]

Shows what ec2-hygiene's tagger, cleanup and scale-to-zero would do in an AWS account now.
Never writes anything. Scale-to-zero (instances, groups, RDS/Aurora databases) reads
SCALE_DEFAULT_SCHEDULE, SCALE_SCHEDULES, SCALE_HOLIDAYS, SCALE_PATCH_WINDOWS and
SCALE_PATCH_WINDOW_LEAD_MINUTES from the environment, as the deployed function does; the SSM
maintenance windows are read (Describe only) when something is asleep, as the function reads them.

options:
  --region R[,R...]        regions to read (default: REGIONS, then AWS_REGION)
  --profile NAME           AWS profile from your shared config/credentials files
  --retention-days N       cleanup retention (default 7)
  --freshness-minutes N    how recent LastUsedRuntime must be (default 60; 40 up to a
                           quarter of the retention)
  --keep-newest N --family-tag KEY   keep the N newest AMIs per family
  --deprecate-grace-days N --disable-grace-days N
                           retirement in stages (default 0 and 0: one step); adds each AMI's
                           timeline: deprecated on, disabled on, deleted on
  --at TIME                judge ages as of this ISO 8601 UTC time (default: now), e.g. to see
                           what tomorrow's 03:00 run would do; LastUsedRuntime freshness too
  --json                   print JSON instead of a table
  --help`;

export interface RegionPlan {
  region: string;
  accountId?: string;
  tagging?: TaggingPlan;
  cleanup?: CleanupPlan;
  scale?: ScalePlan;
  /** Scale-to-zero reads that failed (databases, maintenance windows); the rest of the plan stands. */
  scaleFailures?: RunFailure[];
  /** Maintenance windows or targets scale-to-zero could not use, each with why. */
  scaleSkipped?: SkippedResource[];
  error?: string;
  names: Record<string, string>;
}

export interface PlanArgs {
  settings: Settings;
  scaleSettings: ScaleSettings;
  json: boolean;
  help: boolean;
  profile?: string;
  now: Date;
}

export function settingsFromArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  clock: () => Date = () => new Date(),
): PlanArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      region: { type: 'string' },
      profile: { type: 'string' },
      'retention-days': { type: 'string' },
      'freshness-minutes': { type: 'string' },
      'keep-newest': { type: 'string' },
      'family-tag': { type: 'string' },
      'deprecate-grace-days': { type: 'string' },
      'disable-grace-days': { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  // The same validation as the Lambda's settings, so a bad flag reads like a bad deploy parameter.
  const settings = loadSettings({
    ...env,
    ...(values.region !== undefined && { REGIONS: values.region }),
    ...(values['retention-days'] !== undefined && { RETENTION_DAYS: values['retention-days'] }),
    ...(values['freshness-minutes'] !== undefined && { FRESHNESS_MINUTES: values['freshness-minutes'] }),
    ...(values['keep-newest'] !== undefined && { KEEP_NEWEST_PER_FAMILY: values['keep-newest'] }),
    ...(values['family-tag'] !== undefined && { FAMILY_TAG: values['family-tag'] }),
    ...(values['deprecate-grace-days'] !== undefined && {
      DEPRECATE_GRACE_DAYS: values['deprecate-grace-days'],
    }),
    ...(values['disable-grace-days'] !== undefined && { DISABLE_GRACE_DAYS: values['disable-grace-days'] }),
  });
  const scaleSettings = loadScaleSettings({ ...env, REGIONS: settings.regions.join(',') });
  let now = clock();
  if (values.at !== undefined) {
    const at = parseTimestamp(values.at);
    if (!at)
      throw new Error(`--at ${JSON.stringify(values.at)} is not valid: expected ${TIMESTAMP_EXPECTED}`);
    now = at;
  }
  return {
    now,
    settings,
    scaleSettings,
    json: values.json,
    help: values.help,
    ...(values.profile !== undefined && { profile: values.profile }),
  };
}

export async function planRegions(
  settings: Settings,
  now: Date,
  scaleSettings?: ScaleSettings,
): Promise<RegionPlan[]> {
  const out: RegionPlan[] = [];
  for (const region of settings.regions) {
    const clients = createClients(region, { maxAttempts: settings.maxAttempts });
    try {
      const inventory = await readImageInventory(clients, region, {
        snapshots: true,
        ...versionsOption(settings),
      });
      const usage = usageOf(inventory);
      const scaleInventory = scaleSettings ? await readScaleInventory(clients) : undefined;
      // Recycle Bin rules (ListRules, GetRule: reads), for the `recoverable until` column.
      const recycleBin = await readRecycleBin(clients);
      out.push({
        region,
        accountId: inventory.accountId,
        tagging: planTagging({
          images: inventory.images,
          usage,
          now,
          freshnessMinutes: settings.freshnessMinutes,
        }),
        // Reads the launch permissions and snapshots of the AMIs it would delete (Describe only), as the function does.
        cleanup: (
          await readAndPlan(
            clients,
            {
              images: inventory.images,
              usage,
              snapshots: inventory.snapshots,
              settings: cleanupSettingsFrom(settings),
              now,
              accountId: inventory.accountId,
              recycleBin,
            },
            () => true,
          )
        ).plan,
        ...(scaleSettings &&
          scaleInventory &&
          (await planScaleRegion(clients, scaleInventory, scaleSettings, now))),
        names: Object.fromEntries(inventory.images.map((i) => [i.id, i.name ?? ''])),
      });
    } catch (err) {
      out.push({ region, error: errorText(err), names: {} });
    } finally {
      destroyClients(clients);
    }
  }
  return out;
}

/** Scale-to-zero's plan as the function makes it: databases and the maintenance windows included. */
async function planScaleRegion(
  clients: AwsClients,
  inventory: ScaleInventory,
  settings: ScaleSettings,
  now: Date,
): Promise<Pick<RegionPlan, 'scale' | 'scaleFailures' | 'scaleSkipped'>> {
  const failures: RunFailure[] = inventory.databaseFailure ? [inventory.databaseFailure] : [];
  const skipped: SkippedResource[] = [];
  const maintenanceWindows = await readPatchWindows(
    clients,
    inventory,
    settings.patchWindows,
    now,
    { failures, skipped },
    ': the plan shows no patch-window start (SCALE_PATCH_WINDOWS=false turns the read off)',
  );
  return {
    scale: planScale({
      groups: inventory.groups,
      instances: inventory.instances,
      databases: inventory.databases,
      settings,
      now,
      maintenanceWindows,
      propagatedTags: inventory.propagatedTags,
    }),
    ...(failures.length > 0 && { scaleFailures: failures }),
    ...(skipped.length > 0 && { scaleSkipped: skipped }),
  };
}

export function renderTable(plans: RegionPlan[]): string {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(`== ${p.region}${p.accountId ? ` (account ${p.accountId})` : ''}`);
    if (p.error) {
      lines.push(`  could not read the region: ${p.error}`);
      continue;
    }
    const tagging = new Map((p.tagging?.decisions ?? []).map((d) => [d.imageId, d]));
    const recoverable = recoverableUntil(p.cleanup);
    const decisions = p.cleanup?.decisions ?? [];
    // Retirement stages configured (or stage tags met): each AMI's timeline, "—" where none applies.
    const staged = decisions.some((d) => d.timeline !== undefined);
    const day = (t: Date | undefined) => (t ? t.toISOString().slice(0, 10) : '—');
    const rows = decisions.map((d) => [
      d.imageId,
      (p.names[d.imageId] ?? '').slice(0, 32),
      tagging.get(d.imageId)?.action ?? '',
      d.action,
      d.rule,
      ...(staged
        ? [day(d.timeline?.deprecatedOn), day(d.timeline?.disabledOn), day(d.timeline?.deletedOn)]
        : []),
      recoverable(d.imageId),
      d.reason,
    ]);
    const header = [
      'AMI',
      'name',
      'tagger',
      'cleanup',
      'rule',
      ...(staged ? ['deprecated on', 'disabled on', 'deleted on'] : []),
      'recoverable until',
      'why',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    widths[header.length - 1] = 0;
    const fmt = (r: string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    lines.push(fmt(header), ...rows.map(fmt));
    for (const f of p.tagging?.foreignInUse ?? []) {
      lines.push(
        `  in use but owned by ${f.ownerId ?? 'an unknown account'}: ${f.imageId} (reported, never tagged)`,
      );
    }
    if (p.cleanup?.refused) lines.push(`  CLEANUP WOULD REFUSE: ${p.cleanup.refused.reason}`);
    if (p.cleanup?.recycleBin?.kind === 'failed') {
      lines.push(`  Recycle Bin rules could not be read: ${p.cleanup.recycleBin.message}`);
    }
    const c = p.cleanup?.counts;
    if (c) {
      lines.push(
        `  cleanup: ${c.delete} to delete,${staged ? ` ${c.deprecate} to deprecate, ${c.disable} to disable, ${c.stageRestore} to give back,` : ''} ${c.keep} kept, ${c.skip} skipped (unreadable tags), ${c.defer} deferred; ${c.snapshotsToDelete} snapshots to delete, ${c.snapshotsToUnmark} stale pending-deletion marks to remove`,
      );
    }
    if (p.scale) {
      lines.push('  scale-to-zero:');
      if (p.scale.decisions.length === 0) lines.push('    no resource carries the ScaleToZero tag');
      for (const d of p.scale.decisions)
        lines.push(`    ${d.resourceId}  ${d.outcome} [${d.rule}]: ${d.reason}`);
      for (const f of p.scaleFailures ?? []) lines.push(`    COULD NOT READ (${f.action}): ${f.message}`);
      for (const s of p.scaleSkipped ?? []) lines.push(`    ${s.resourceId}  not used: ${s.reason}`);
    }
  }
  return lines.join('\n');
}

/**
 * The `recoverable until` column: the day an AMI deleted now could be restored until (the AMI and its
 * snapshots covered), `not covered` (what is missing is in the reason of a deletion), `unknown` when
 * the rules could not be read, empty for an AMI this account does not own.
 */
function recoverableUntil(plan: CleanupPlan | undefined): (imageId: string) => string {
  const report = plan?.recycleBin;
  if (report === undefined) return () => '';
  if (report.kind === 'failed') return () => 'unknown';
  const byImage = new Map(report.images.map((r) => [r.imageId, r]));
  return (imageId) => {
    const r = byImage.get(imageId);
    if (r === undefined) return '';
    return r.recoverableUntil ? r.recoverableUntil.toISOString().slice(0, 10) : 'not covered';
  };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = settingsFromArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`${errorText(err)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  // The SDK's default credential chain reads AWS_PROFILE when the clients are built.
  if (parsed.profile) process.env.AWS_PROFILE = parsed.profile;
  const plans = await planRegions(parsed.settings, parsed.now, parsed.scaleSettings);
  console.log(parsed.json ? JSON.stringify(plans, null, 2) : renderTable(plans));
  if (plans.every((p) => p.error)) process.exitCode = 1;
}

if (require.main === module) {
  void main();
}
