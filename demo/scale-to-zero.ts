/**
 * The scale-to-zero story for the demo (`npm start`): the real handler against a sandbox account
 * over a simulated Monday night, narrated. A dev group goes to 0 at 18:30 Berlin time and comes back
 * with its exact sizes at 08:00; a late worker's box hibernates, and its Elastic IP and an
 * unassociated one are reported with their hourly cost; it is not fought; an override keeps a box on
 * until it runs out; a bad schedule tag is reported, not acted on; untagged resources stay as they
 * are; the override box, asleep by then, is woken for the night's SSM patch window at 03:00 Berlin
 * and put back to sleep when it ends; a dev database is stopped after the servers at night and
 * started before them in the morning. Only the handler's (and the windows') clock is simulated.
 */
import { CreateTagsCommand, EC2Client, StartInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateMaintenanceWindowCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { DateTime } from 'luxon';

import type { Sandbox } from '../sandbox/server';
import { allocateAddress } from '../sandbox/services/ec2/addresses';
import { maintenanceWindows } from '../sandbox/services/ssm-maintenance-windows';
import type { RunSummaryDetail } from '../shared/events';
import type { LogLine } from '../shared/report';
import { makeScaleHandler } from '../functions/scale-to-zero/handler';
import { addDbInstance, getDbInstance } from '../sandbox/services/rds';

export interface ScaleStoryOptions {
  region?: string;
  /** Where the narration goes; default console.log. */
  print?: (line: string) => void;
}

export interface ScaleStoryResult {
  /** Every run's summary, in order. */
  summaries: RunSummaryDetail[];
  /** The story's checks, e.g. "dev group restored to min=1 desired=2 max=4": all true when it went as told. */
  checks: { what: string; ok: boolean }[];
  /** What the night's runs estimated they saved, summed over the runs. */
  savings: { usd: number; instanceHours: number; unpricedTypes: string[] };
}

/** "$1.23 (estimate: ...)": the money figure never appears without its label. */
export function describeSavings(
  usd: number,
  instanceHours: number,
  unpricedTypes: readonly string[],
): string {
  const unpriced =
    unpricedTypes.length > 0 ? `; no price known for ${unpricedTypes.join(', ')}, not counted` : '';
  return `estimated $${usd.toFixed(2)} for ${instanceHours} instance-hours (an estimate at on-demand Linux prices; no discounts, licences or EBS${unpriced})`;
}

function totalSavings(summaries: readonly RunSummaryDetail[]): ScaleStoryResult['savings'] {
  const sum = (key: string) => summaries.reduce((n, s) => n + (s.counts[key] ?? 0), 0);
  return {
    usd: Math.round(sum('estimatedSavingsUsd') * 100) / 100,
    instanceHours: Math.round(sum('estimatedInstanceHoursSaved') * 10) / 10,
    unpricedTypes: [...new Set(summaries.flatMap((s) => s.savings?.unpricedTypes ?? []))].sort(),
  };
}

const ZONE = 'Europe/Berlin';
const SCHEDULE = 'Mon-Fri 08:00-18:30 Europe/Berlin';

/**
 * Seeds `demo-*` resources in the sandbox and runs the story. It points the SDK at the sandbox
 * through AWS_ENDPOINT_URL and dummy credentials in process.env, as the rest of the demo does.
 */
export async function runScaleToZeroStory(
  sandbox: Sandbox,
  options: ScaleStoryOptions = {},
): Promise<ScaleStoryResult> {
  const regionName = options.region ?? 'eu-west-1';
  const print = options.print ?? ((line: string) => console.log(line));
  // The handler signs as the scale-to-zero function (its role applies); people tag as the admin.
  Object.assign(process.env, sandbox.env(regionName, 'scale-to-zero'));
  const region = sandbox.state.region(regionName);

  const image = region.addImage({ name: 'demo-dev-base' });
  const template = region.addLaunchTemplate({ name: 'demo-dev-web', versions: [{ imageId: image.id }] });
  const lt = { launchTemplateId: template.id, version: '$Default' };
  // The group's two instances are what its scale-down turns off, and their type what it is priced at.
  const devWebInstances = [1, 2].map(
    () =>
      region.addInstance({ imageId: image.id, instanceType: 'm5.large', tags: { Name: 'demo-dev-web' } }).id,
  );
  region.addAutoScalingGroup({
    name: 'demo-dev-web',
    launchTemplate: lt,
    minSize: 1,
    desiredCapacity: 2,
    maxSize: 4,
    instanceIds: devWebInstances,
    tags: { ScaleToZero: 'true' },
  });
  region.addAutoScalingGroup({
    name: 'demo-prod-web',
    launchTemplate: lt,
    minSize: 2,
    desiredCapacity: 2,
    maxSize: 6,
  });
  const box = (name: string, scaleToZero?: string) =>
    region.addInstance({
      imageId: image.id,
      tags: { Name: name, ...(scaleToZero ? { ScaleToZero: scaleToZero } : {}) },
    }).id;
  // The late worker's box hibernates at night (launched with hibernation configured), and keeps an
  // Elastic IP; one more address in the region is associated with nothing: both still cost money.
  const lateBox = region.addInstance({
    imageId: image.id,
    hibernation: true,
    tags: { Name: 'demo-late-worker-box', ScaleToZero: 'true', ScaleToZeroAction: 'hibernate' },
  }).id;
  const newId = (prefix: string) => sandbox.state.ids.next(prefix);
  const lateBoxIp = allocateAddress(region, { instanceId: lateBox }, newId).publicIp;
  const spareIp = allocateAddress(region, {}, newId).publicIp;
  const overrideBox = region.addInstance({
    imageId: image.id,
    tags: { Name: 'demo-override-box', ScaleToZero: 'true', 'Patch Group': 'dev' },
  }).id;
  const badBox = box('demo-bad-tag-box', 'weekdays 9 to 5');
  const prodBox = box('demo-prod-box');
  addDbInstance(region, { id: 'demo-orders-db', tags: { ScaleToZero: 'true' } });
  // Where a stop or start settles (the local account shows `stopping` until its next describe).
  const dbState = () => {
    const d = getDbInstance(region, 'demo-orders-db')!;
    return d.settlesTo ?? d.status;
  };

  let now = 0;
  const logs: LogLine[] = [];
  const handler = makeScaleHandler({
    clock: () => now,
    log: (line) => logs.push(line),
    env: { ...process.env, REGIONS: regionName, SCALE_DEFAULT_SCHEDULE: SCHEDULE, SCALE_DRY_RUN: 'false' },
  });
  const context = { getRemainingTimeInMillis: () => 300_000 } as Context;
  const summaries: RunSummaryDetail[] = [];
  const checks: ScaleStoryResult['checks'] = [];
  const check = (what: string, ok: boolean) => {
    checks.push({ what, ok });
    print(`   ${ok ? '✔' : '✘'} ${what}`);
  };
  const local = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(ZONE).toFormat('ccc HH:mm');
  const sizes = (name: string) => {
    const g = region.getAutoScalingGroup(name)!;
    return `min=${g.minSize} desired=${g.desiredCapacity} max=${g.maxSize}`;
  };
  const state = (id: string) => region.getInstance(id)!.state;
  const run = async (iso: string, title: string) => {
    now = Date.parse(iso);
    logs.length = 0;
    const { summaries: s } = await handler({}, context);
    summaries.push(...s);
    const acted = logs.filter(
      (l) =>
        l.type === 'decision' && ['scale-to-zero', 'restore', 'stop', 'start'].includes(String(l.action)),
    );
    print(`\n[${local(iso)} Berlin] ${title}`);
    for (const l of acted) print(`   ${String(l.action)} ${String(l.resourceId)}: ${String(l.reason)}`);
    if (acted.length === 0) print('   no action');
    return s[0]!;
  };

  maintenanceWindows(sandbox.state, regionName).clock = () => new Date(now);
  const windowId = await seedPatchWindow(regionName, sandbox);

  print(`scale-to-zero: schedule "${SCHEDULE}" (ScaleToZero=true), run every 15 minutes`);
  print(`SSM maintenance window ${windowId} patches Patch Group=dev nightly at 03:00 Berlin for 2 hours`);
  await run('2026-11-23T17:15:00Z', 'Monday, office hours');
  check(`demo-dev-web still ${sizes('demo-dev-web')}`, sizes('demo-dev-web') === 'min=1 desired=2 max=4');

  const ec2 = new EC2Client({ region: regionName, credentials: sandbox.credentials('admin') });
  try {
    // Before leaving, one person asks to keep their box on until 22:00 Berlin.
    await ec2.send(
      new CreateTagsCommand({
        Resources: [overrideBox],
        Tags: [{ Key: 'ScaleToZeroSkipUntil', Value: '2026-11-23T21:00:00Z' }],
      }),
    );
    print(`\n(${overrideBox} gets ScaleToZeroSkipUntil=2026-11-23T21:00:00Z)`);
    const evening = await run('2026-11-23T17:30:00Z', 'Monday 18:30: off-hours begin');
    check(
      `demo-dev-web scaled to ${sizes('demo-dev-web')}, sizes remembered on the group`,
      sizes('demo-dev-web') === 'min=0 desired=0 max=0',
    );
    check(
      `late worker's box ${state(lateBox)} (${region.getInstance(lateBox)!.stateReason?.code ?? 'no reason'}), override box ${state(overrideBox)}`,
      state(lateBox) === 'stopped' &&
        region.getInstance(lateBox)!.stateReason?.code === 'Client.UserInitiatedHibernate' &&
        state(overrideBox) === 'running',
    );
    const idle = evening.idleAddresses;
    for (const a of idle?.addresses ?? []) {
      print(
        `   idle Elastic IP ${a.publicIp}: ${a.reason}, $${a.usdPerHour}/h (estimate; reported, never released)`,
      );
    }
    check(
      `idle Elastic IPs reported: ${lateBoxIp} of the hibernated box and unassociated ${spareIp}, $${idle?.usdPerHour ?? 0}/h`,
      idle?.addresses.map((a) => a.publicIp).join(' ') === `${lateBoxIp} ${spareIp}` &&
        idle.usdPerHour === 0.01,
    );
    check(`database demo-orders-db ${dbState()}, after the servers`, dbState() === 'stopped');
    print(
      `   savings until the morning: ${describeSavings(evening.counts.estimatedSavingsUsd ?? 0, evening.counts.estimatedInstanceHoursSaved ?? 0, evening.savings?.unpricedTypes ?? [])}`,
    );
    for (const [type, p] of Object.entries(evening.savings?.prices ?? {})) {
      print(`   price of an hour of ${type}: $${p.usdPerHour} (${p.source})`);
    }
    for (const s of evening.skipped) {
      print(
        `   reported: ${s.resourceId} ${s.tag ?? ''}=${JSON.stringify(s.value ?? '')}: ${s.reason}${s.expected ? `; expected ${s.expected}` : ''}`,
      );
    }
    check(
      `bad schedule tag on ${badBox} reported, box left ${state(badBox)}`,
      evening.skipped.some((s) => s.resourceId === badBox) && state(badBox) === 'running',
    );

    await ec2.send(new StartInstancesCommand({ InstanceIds: [lateBox] }));
    print(`\n(21:00: a late worker starts ${lateBox} again)`);
    await run('2026-11-23T20:00:00Z', 'Monday 21:00');
    await run('2026-11-23T20:15:00Z', 'Monday 21:15');
    check(`late worker's box still ${state(lateBox)}: not fought`, state(lateBox) === 'running');
    await run('2026-11-23T21:00:00Z', 'Monday 22:00: the override runs out');
    check(`override box ${state(overrideBox)}`, state(overrideBox) === 'stopped');
    await run('2026-11-24T01:15:00Z', 'Tuesday 02:15');
    await run('2026-11-24T01:30:00Z', 'Tuesday 02:30: the patch window is 30 minutes away');
    check(`override box ${state(overrideBox)} for the 03:00 patch window`, state(overrideBox) === 'running');
    await run('2026-11-24T03:45:00Z', 'Tuesday 04:45: the window is still running');
    await run('2026-11-24T04:00:00Z', 'Tuesday 05:00: the patch window ends');
    check(
      `override box ${state(overrideBox)} again after its patch window`,
      state(overrideBox) === 'stopped',
    );
    await run('2026-11-24T07:00:00Z', 'Tuesday 08:00: office hours begin');
    check(
      `demo-dev-web restored to ${sizes('demo-dev-web')}`,
      sizes('demo-dev-web') === 'min=1 desired=2 max=4',
    );
    check(
      `boxes running again (${state(lateBox)}, ${state(overrideBox)})`,
      state(lateBox) === 'running' && state(overrideBox) === 'running',
    );
    check(
      `database demo-orders-db ${dbState()} again, started before the servers`,
      dbState() === 'available',
    );
    check(
      `untagged demo-prod-web (${sizes('demo-prod-web')}) and ${prodBox} (${state(prodBox)}) never touched`,
      sizes('demo-prod-web') === 'min=2 desired=2 max=6' && state(prodBox) === 'running',
    );
  } finally {
    ec2.destroy();
  }
  const savings = totalSavings(summaries);
  print(
    `\nthe night's savings: ${describeSavings(savings.usd, savings.instanceHours, savings.unpricedTypes)}`,
  );
  check(
    'the savings in money are priced (no type left unpriced)',
    savings.usd > 0 && savings.unpricedTypes.length === 0,
  );
  return { summaries, checks, savings };
}

/** The operator's nightly patch window, created as the administrator: 03:00 Berlin, 2 hours. */
async function seedPatchWindow(regionName: string, sandbox: Sandbox): Promise<string> {
  const ssm = new SSMClient({ region: regionName, credentials: sandbox.credentials('admin') });
  try {
    const { WindowId } = await ssm.send(
      new CreateMaintenanceWindowCommand({
        Name: 'demo-nightly-patch',
        Schedule: 'cron(0 3 ? * * *)',
        ScheduleTimezone: ZONE,
        Duration: 2,
        Cutoff: 1,
        AllowUnassociatedTargets: false,
      }),
    );
    await ssm.send(
      new RegisterTargetWithMaintenanceWindowCommand({
        WindowId,
        ResourceType: 'INSTANCE',
        Targets: [{ Key: 'tag:Patch Group', Values: ['dev'] }],
      }),
    );
    return WindowId!;
  } finally {
    ssm.destroy();
  }
}
