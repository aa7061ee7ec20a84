import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateMaintenanceWindowCommand,
  PutParameterCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { planRegions, renderTable, settingsFromArgs } from '../../../cli/plan';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { seedRecycleBinRule } from '../../../sandbox/services/rbin';
import { addDbInstance } from '../../../sandbox/services/rds';
import { maintenanceWindows } from '../../../sandbox/services/ssm-maintenance-windows';

const run = promisify(execFile);
const NOW = new Date('2026-11-23T12:00:00Z');

describe('npm run plan (read-only)', () => {
  let sandbox: Sandbox;
  const saved = { ...process.env };
  let oldId = '';

  beforeAll(async () => {
    sandbox = await startSandbox();
    // The plan reads what the cleanup function reads: its role must be enough (the sandbox checks).
    Object.assign(process.env, sandbox.env('eu-west-1', 'cleanup'));
    const region = sandbox.state.region('eu-west-1');
    oldId = region.addImage({
      name: 'old-build',
      creationDate: '2026-10-01T00:00:00Z',
      tags: { AutoCleanup: 'true', LastUsedRuntime: '2026-11-23T11:40:00Z' },
    }).id;
    const used = region.addImage({
      name: 'in-use',
      tags: { AutoCleanup: 'true', LastUsedRuntime: '2026-11-23T11:40:00Z' },
    });
    region.addInstance({ imageId: used.id, state: 'running' });
    // A mark left by a run that stopped before deregistering: the AMI is in use now, so the mark goes.
    const usedSnapshot = region.getSnapshot(used.blockDeviceMappings[0]!.snapshotId!)!;
    usedSnapshot.tags['AutoCleanupPendingDeletion'] = used.id;
    region.addImage({ name: 'odd', tags: { AutoCleanup: 'maybe', LastUsedRuntime: '2026-11-23T11:40:00Z' } });
    // Monday 2026-11-23 12:00Z is inside the default Mon-Fri 07:00-19:00 UTC window.
    region.addInstance({
      id: 'i-0000000000000dev1',
      imageId: used.id,
      state: 'running',
      tags: { ScaleToZero: 'true' },
    });
    region.addInstance({
      id: 'i-0000000000000bad1',
      imageId: used.id,
      state: 'running',
      tags: { ScaleToZero: 'weekdays' },
    });
  });

  afterAll(async () => {
    process.env = saved;
    await sandbox.close();
  });

  it('plans both functions and writes nothing to the account', async () => {
    sandbox.requests.reset();
    const { settings, scaleSettings } = settingsFromArgs(['--region', 'eu-west-1'], process.env);
    const [plan] = await planRegions(settings, NOW, scaleSettings);
    expect(plan?.cleanup?.deletions.map((d) => d.image.id)).toEqual([oldId]);
    expect(plan?.tagging?.lastUsed).toHaveLength(1);
    const actions = Object.keys(sandbox.requests.counts()).map((k) => k.split(':')[1]);
    expect(actions.length).toBeGreaterThan(0);
    // Reads only: Describe*, STS, and the Recycle Bin's ListRules/GetRule.
    for (const a of actions) expect(a).toMatch(/^(Describe|GetCallerIdentity$|ListRules$|GetRule$)/);
    expect(sandbox.state.region('eu-west-1').getImage(oldId)).toBeDefined();

    const table = renderTable([plan!]);
    expect(table).toMatch(new RegExp(`${oldId}\\s+old-build\\s+tag-runtime\\s+delete\\s+eligible`));
    expect(table).toContain('AutoCleanup="maybe"');
    expect(table).toContain('1 snapshots to delete, 1 stale pending-deletion marks to remove');
    expect(table).toMatch(/i-0000000000000bad1 {2}skip \[schedule-unreadable\].*ScaleToZero="weekdays"/);

    // At 20:00 the same account would have its opted-in box stopped, and only that one.
    const [evening] = await planRegions(settings, new Date('2026-11-23T20:00:00Z'), scaleSettings);
    expect(evening?.scale?.actions.map((a) => a.kind)).toEqual(['stop-instance']);
  });

  it('gives the new usage signals as reasons: a fleet, an aws:ec2:image parameter, an older template version, LastLaunchedTime', async () => {
    const region = sandbox.state.region('eu-west-3');
    const opted = (name: string, extra: { lastLaunchedTime?: string } = {}) =>
      region.addImage({
        name,
        creationDate: '2026-09-01T00:00:00Z',
        ...extra,
        tags: {
          AutoCleanup: 'true',
          LastUsed: '2026-10-01T00:00:00Z',
          LastUsedRuntime: '2026-11-23T11:40:00Z',
        },
      }).id;
    const byFleet = opted('by-fleet');
    const byParameter = opted('by-parameter');
    const byVersion = opted('by-version');
    const launched = opted('launched', { lastLaunchedTime: '2026-11-22T06:00:00Z' });
    const template = region.addLaunchTemplate({
      name: 'web',
      versions: [{ imageId: byVersion }, {}, {}],
      defaultVersion: 3,
    });
    const fleet = region.addFleet({
      launchTemplateConfigs: [
        {
          launchTemplateSpecification: { launchTemplateId: template.id, version: '3' },
          overrides: [{ imageId: byFleet }],
        },
      ],
    });
    const ssm = new SSMClient({ region: 'eu-west-3', credentials: sandbox.credentials('admin') });
    await ssm.send(
      new PutParameterCommand({
        Name: '/golden/web',
        Value: byParameter,
        Type: 'String',
        DataType: 'aws:ec2:image',
      }),
    );
    ssm.destroy();

    const { settings } = settingsFromArgs(['--region', 'eu-west-3'], process.env);
    const [plan] = await planRegions(settings, NOW);
    const table = renderTable([plan!]);
    expect(plan?.cleanup?.deletions).toEqual([]);
    expect(table).toContain(
      `in use by EC2 fleet ${fleet.id} (maintain, launch template ${template.id} override)`,
    );
    expect(table).toContain('in use by SSM parameter /golden/web (data type aws:ec2:image)');
    expect(table).toContain(`in use by launch template ${template.id} (web) version 1`);
    expect(table).toContain('last launched 2026-11-22T06:00:00Z (EC2 LastLaunchedTime)');
    expect(table).toMatch(new RegExp(`${launched}\\s+launched`));
  });

  it("shows the owner's per-AMI overrides in the reasons, and a malformed one with tag, value and expected", async () => {
    const region = sandbox.state.region('eu-central-1');
    const opted = (name: string, extra: Record<string, string>) =>
      region.addImage({
        name,
        creationDate: '2026-09-01T00:00:00Z',
        tags: {
          AutoCleanup: 'true',
          LastUsed: '2026-11-13T12:00:00Z',
          LastUsedRuntime: '2026-11-23T11:40:00Z',
          ...extra,
        },
      }).id;
    const longer = opted('longer', { AutoCleanupRetentionDays: '30' });
    const shorter = opted('shorter', { AutoCleanupRetentionDays: '1', LastUsed: '2026-11-21T12:00:00Z' });
    const postponed = opted('postponed', { AutoCleanupKeepUntil: '2026-11-30' });
    const odd = opted('odd', { AutoCleanupRetentionDays: '7.5' });

    const { settings } = settingsFromArgs(['--region', 'eu-central-1'], process.env);
    const [plan] = await planRegions(settings, NOW);
    expect(plan?.cleanup?.deletions.map((d) => d.image.id)).toEqual([shorter]);
    const table = renderTable([plan!]);
    expect(table).toMatch(
      new RegExp(
        `${longer}\\s+longer.*keep\\s+retention.*within the 30 days retention \\(AutoCleanupRetentionDays=30 on the AMI\\)`,
      ),
    );
    expect(table).toContain('2 days > 1 day retention (AutoCleanupRetentionDays=1 on the AMI)');
    expect(table).toMatch(
      new RegExp(
        `${postponed}\\s+postponed.*keep-until.*AutoCleanupKeepUntil=2026-11-30 on the AMI: kept through 2026-11-30`,
      ),
    );
    expect(table).toMatch(
      new RegExp(`${odd}\\s+odd.*skip\\s+unreadable-tags.*AutoCleanupRetentionDays="7.5"`),
    );
  });

  it('shows until when each AMI would be recoverable from the Recycle Bin, or that no rule covers it', async () => {
    const region = sandbox.state.region('us-west-2');
    const opted = (name: string, tags: Record<string, string> = {}) =>
      region.addImage({
        name,
        creationDate: '2026-09-01T00:00:00Z',
        tags: {
          AutoCleanup: 'true',
          LastUsed: '2026-10-01T00:00:00Z',
          LastUsedRuntime: '2026-11-23T11:40:00Z',
          ...tags,
        },
      }).id;
    seedRecycleBinRule(region, {
      resourceType: 'EC2_IMAGE',
      retentionDays: 10,
      resourceTags: [{ key: 'Restorable', value: 'yes' }],
    });
    seedRecycleBinRule(region, { resourceType: 'EBS_SNAPSHOT', retentionDays: 30 });
    const covered = opted('covered', { Restorable: 'yes' });
    const bare = opted('bare');

    const { settings } = settingsFromArgs(['--region', 'us-west-2'], process.env);
    const [plan] = await planRegions(settings, NOW);
    const table = renderTable([plan!]);
    expect(table).toMatch(/recoverable until {2}why/);
    expect(table).toMatch(
      new RegExp(
        `${covered}\\s+covered.*eligible\\s+2026-12-03 .*recoverable from the Recycle Bin until 2026-12-03`,
      ),
    );
    expect(table).toMatch(
      new RegExp(`${bare}\\s+bare.*eligible\\s+not covered .*no Recycle Bin retention rule covers the AMI`),
    );

    sandbox.faults.add({ service: 'rbin', action: 'ListRules', code: 'AccessDeniedException', times: 1 });
    const [denied] = await planRegions(settings, NOW);
    expect(renderTable([denied!])).toMatch(new RegExp(`${bare}\\s+bare.*eligible\\s+unknown `));
    expect(renderTable([denied!])).toContain(
      'Recycle Bin rules could not be read: ListRules EC2_IMAGE failed: AccessDeniedException',
    );
  });

  it('refuses a bad flag with the setting and what was expected', () => {
    expect(() => settingsFromArgs(['--retention-days', 'seven'], { AWS_REGION: 'eu-west-1' })).toThrow(
      /RETENTION_DAYS="seven" is not valid: expected a whole number of days/,
    );
  });

  it('holds --freshness-minutes to the same bounds as the functions', () => {
    expect(() => settingsFromArgs(['--freshness-minutes', '30'], { AWS_REGION: 'eu-west-1' })).toThrow(
      /FRESHNESS_MINUTES="30" is not valid: expected a whole number of minutes >= 40/,
    );
  });

  it("judges the tagger's outage rule with the same window as cleanup", async () => {
    // 50 minutes on, the AMIs' LastUsedRuntime (11:40) is 70 minutes old: an outage for a 60-minute
    // window, not for a 90-minute one.
    const later = new Date(NOW.getTime() + 50 * 60_000);
    const args = (minutes: string) =>
      settingsFromArgs(['--region', 'eu-west-1', '--freshness-minutes', minutes], process.env).settings;
    const [narrow] = await planRegions(args('60'), later);
    const [wide] = await planRegions(args('90'), later);
    expect(narrow?.tagging?.observedSince).toContain(oldId);
    expect(narrow?.tagging?.decisions.find((d) => d.imageId === oldId)?.reason).toContain(
      'was 1 h 10 min old > 60 min, so its use was not observed until now',
    );
    expect(wide?.tagging?.observedSince).toEqual([]);
  });

  it('refuses an --at that is not a contract timestamp', () => {
    expect(() => settingsFromArgs(['--at', 'tomorrow'], { AWS_REGION: 'eu-west-1' })).toThrow(
      /--at "tomorrow" is not valid: expected an ISO 8601 UTC timestamp/,
    );
  });

  it('plans like the function when a launch template names its AMI through an SSM parameter', async () => {
    const region = sandbox.state.region('eu-west-2');
    const golden = region.addImage({
      name: 'golden',
      creationDate: '2026-10-01T00:00:00Z',
      tags: { AutoCleanup: 'true', LastUsedRuntime: '2026-11-23T11:40:00Z' },
    });
    const ssm = new SSMClient({ region: 'eu-west-2', credentials: sandbox.credentials('admin') });
    await ssm.send(new PutParameterCommand({ Name: '/images/golden', Value: golden.id, Type: 'String' }));
    ssm.destroy();
    region.addLaunchTemplate({ name: 'via-ssm', versions: [{ imageId: 'resolve:ssm:/images/golden' }] });

    const { settings } = settingsFromArgs(['--region', 'eu-west-2'], process.env);
    const [plan] = await planRegions(settings, NOW);
    // Resolved, so no refusal; in use through the parameter, so kept.
    expect(plan?.cleanup?.refused).toBeUndefined();
    expect(plan?.cleanup?.decisions.find((d) => d.imageId === golden.id)?.reason).toContain('/images/golden');
    expect(plan?.tagging?.lastUsed).toEqual([golden.id]);
  });

  it('runs as a command and prints JSON', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'node_modules/tsx/dist/cli.mjs',
        'cli/plan.ts',
        '--json',
        '--region',
        'eu-west-1',
        '--at',
        '2026-11-23T12:00:00Z',
      ],
      {
        env: { ...process.env, ...sandbox.env('eu-west-1', 'cleanup'), NODE_NO_WARNINGS: '1' },
      },
    );
    const plans = JSON.parse(stdout) as { region: string; cleanup: { counts: { delete: number } } }[];
    expect(plans[0]?.region).toBe('eu-west-1');
    expect(plans[0]?.cleanup.counts.delete).toBe(1);
  }, 60_000);

  it('shows each AMI\'s retirement timeline once stages are configured, "—" where none applies', async () => {
    const region = sandbox.state.region('ap-south-1');
    const image = (
      name: string,
      extra: Record<string, string>,
      over: { state?: string; deprecationTime?: string } = {},
    ) =>
      region.addImage({
        name,
        creationDate: '2026-09-01T00:00:00Z',
        ...over,
        tags: {
          AutoCleanup: 'true',
          LastUsed: '2026-10-01T12:00:00Z',
          LastUsedRuntime: '2026-11-23T11:40:00Z',
          ...extra,
        },
      }).id;
    const fresh = image('to-deprecate', {});
    const staged = image(
      'deprecated-3-days',
      { AutoCleanupDeprecatedAt: '2026-11-20T12:00:00Z' },
      { deprecationTime: '2026-11-20T12:00:00Z' },
    );
    const recent = image('used-recently', { LastUsed: '2026-11-22T12:00:00Z' });
    const theirs = image('not-opted-in', { AutoCleanup: 'false' });

    const { settings } = settingsFromArgs(
      ['--region', 'ap-south-1', '--deprecate-grace-days', '7', '--disable-grace-days', '7'],
      process.env,
    );
    const [plan] = await planRegions(settings, NOW);
    const table = renderTable([plan!]);
    expect(table).toMatch(/rule\s+deprecated on\s+disabled on\s+deleted on\s+recoverable until\s+why/);
    expect(table).toMatch(
      new RegExp(
        `${fresh}\\s+to-deprecate.*deprecate\\s+deprecate\\s+2026-11-23\\s+2026-11-30\\s+2026-12-07`,
      ),
    );
    expect(table).toMatch(
      new RegExp(`${staged}\\s+deprecated-3-days.*stage-grace\\s+2026-11-20\\s+2026-11-27\\s+2026-12-04`),
    );
    expect(table).toMatch(
      new RegExp(`${recent}\\s+used-recently.*retention\\s+2026-11-29\\s+2026-12-06\\s+2026-12-13`),
    );
    expect(table).toMatch(new RegExp(`${theirs}\\s+not-opted-in.*not-opted-in\\s+—\\s+—\\s+—`));
    expect(table).toContain('1 to deprecate, 0 to disable, 0 to give back');
  });

  describe('scale-to-zero: databases and maintenance windows', () => {
    const REGION = 'ca-central-1';
    // Tuesday 1 December 02:40 UTC: off under the default Mon-Fri 07:00-19:00 UTC; the nightly
    // window starts at 03:00, inside the default 30 minutes' lead.
    const NIGHT = new Date('2026-12-01T02:40:00Z');
    let windowId = '';
    let devBox = '';
    let prodBox = '';

    beforeAll(async () => {
      const region = sandbox.state.region(REGION);
      maintenanceWindows(sandbox.state, REGION).clock = () => NIGHT;
      addDbInstance(region, { id: 'orders-dev', tags: { ScaleToZero: 'true' } });
      addDbInstance(region, { id: 'orders-prod' });
      const image = region.addImage({ name: 'dev-base' });
      // Asleep by scale-to-zero's own record of Monday's 19:00 stop.
      const asleep = {
        ScaleToZero: 'true',
        ScaleToZeroLastTransition: '2026-11-30T19:00:00Z stopped=2026-11-30T19:00:00Z',
        ScaleToZeroStoppedAt: '2026-11-30T19:00:00Z',
      };
      devBox = region.addInstance({
        imageId: image.id,
        state: 'stopped',
        tags: { ...asleep, 'Patch Group': 'dev' },
      }).id;
      prodBox = region.addInstance({
        imageId: image.id,
        state: 'stopped',
        tags: { ...asleep, 'Patch Group': 'prod' },
      }).id;
      const ssm = new SSMClient({ region: REGION, credentials: sandbox.credentials('admin') });
      windowId = (
        await ssm.send(
          new CreateMaintenanceWindowCommand({
            Name: 'nightly-patch',
            Schedule: 'cron(0 3 ? * * *)',
            Duration: 2,
            Cutoff: 1,
            AllowUnassociatedTargets: false,
          }),
        )
      ).WindowId!;
      await ssm.send(
        new RegisterTargetWithMaintenanceWindowCommand({
          WindowId: windowId,
          ResourceType: 'INSTANCE',
          Targets: [{ Key: 'tag:Patch Group', Values: ['dev'] }],
        }),
      );
      ssm.destroy();
    });

    /** The plan as someone allowed to read everything (the person running `npm run plan`) sees it. */
    async function planAs(caller: string, env: NodeJS.ProcessEnv = {}) {
      const before = { ...process.env };
      Object.assign(process.env, sandbox.env(REGION, caller), env);
      try {
        const { settings, scaleSettings } = settingsFromArgs(['--region', REGION], process.env);
        const [plan] = await planRegions(settings, NIGHT, scaleSettings);
        return plan!;
      } finally {
        process.env = before;
      }
    }

    const writes = () =>
      Object.keys(sandbox.requests.counts())
        .map((k) => k.split(':')[1]!)
        .filter((a) => !/^(Describe|GetCallerIdentity$|ListRules$|GetRule$)/.test(a));

    it("shows the tagged database's decision and the box its window is about to patch, writing nothing", async () => {
      sandbox.requests.reset();
      const plan = await planAs('admin');
      expect(writes()).toEqual([]);
      expect(sandbox.requests.count('ssm', 'DescribeMaintenanceWindows')).toBe(1);
      expect(plan.scaleFailures).toBeUndefined();

      const table = renderTable([plan]);
      expect(plan.scale?.decisions.find((d) => d.resourceId === 'orders-dev')).toMatchObject({
        resourceType: expect.stringMatching(/db/i),
        outcome: 'stop',
      });
      expect(table).toMatch(/^ {4}orders-dev {2}stop \[[a-z-]+\]: /m);
      expect(table).not.toContain('orders-prod');
      expect(table).toContain(
        `    ${devBox}  start [patch-window-start]: started for maintenance window ${windowId} (nightly-patch) at 03:00 UTC, 30 min lead; back to off at 05:00 UTC`,
      );
      expect(table).not.toMatch(new RegExp(`${prodBox} {2}start`));
      expect(plan.scale?.actions).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'start-instance', instanceId: devBox })]),
      );
      // Nothing was started or stopped in the account.
      expect(sandbox.state.region(REGION).getInstance(devBox)!.state).toBe('stopped');
    });

    it('respects SCALE_PATCH_WINDOWS=false and SCALE_PATCH_WINDOW_LEAD_MINUTES, as the function does', async () => {
      sandbox.requests.reset();
      const off = await planAs('admin', { SCALE_PATCH_WINDOWS: 'false' });
      // (The cleanup's reads still list SSM parameters; no maintenance window is read.)
      for (const action of ['DescribeMaintenanceWindows', 'DescribeMaintenanceWindowTargets']) {
        expect(sandbox.requests.count('ssm', action)).toBe(0);
      }
      expect(renderTable([off])).not.toContain('patch-window-start');
      // 20 minutes before 03:00 is outside a 10-minute lead.
      const short = await planAs('admin', { SCALE_PATCH_WINDOW_LEAD_MINUTES: '10' });
      expect(renderTable([short])).not.toContain('patch-window-start');
    });

    it('reports refused database and window reads, and plans the rest', async () => {
      // The cleanup role may read neither RDS nor SSM maintenance windows.
      const plan = await planAs('cleanup');
      expect(plan.error).toBeUndefined();
      const table = renderTable([plan]);
      expect(table).toMatch(/COULD NOT READ \(DescribeMaintenanceWindows\): .*AccessDenied/);
      expect(table).toMatch(/COULD NOT READ \(DescribeDB\w+\): .*AccessDenied/);
      expect(table).not.toContain('patch-window-start');
      expect(table).toMatch(new RegExp(`${devBox} {2}\\w+ \\[`));
      expect(plan.cleanup).toBeDefined();
    });
  });
});
