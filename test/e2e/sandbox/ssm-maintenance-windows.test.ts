/**
 * The local account's SSM maintenance windows through the real SDK client: seeding with admin
 * credentials, the three reads scale-to-zero makes (its role allows them; another function's role
 * does not), AWS's shapes and errors, and next executions against the store's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowScheduleCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  SSMClient,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';

import { startSandbox, type Caller, type Sandbox } from '../../../sandbox/server';
import { maintenanceWindows } from '../../../sandbox/services/ssm-maintenance-windows';

const REGION = 'eu-west-1';
let sandbox: Sandbox;
let admin: SSMClient;
let nightly = '';
let weekly = '';

const client = (caller: Caller) =>
  new SSMClient({
    endpoint: sandbox.url,
    region: REGION,
    credentials: sandbox.credentials(caller),
    maxAttempts: 1,
  });

beforeAll(async () => {
  sandbox = await startSandbox();
  maintenanceWindows(sandbox.state, REGION).clock = () => new Date('2026-11-30T22:00:00Z');
  admin = client('admin');
  nightly = (
    await admin.send(
      new CreateMaintenanceWindowCommand({
        Name: 'nightly-patch',
        Schedule: 'cron(0 3 ? * * *)',
        Duration: 2,
        Cutoff: 1,
        AllowUnassociatedTargets: false,
      }),
    )
  ).WindowId!;
  await admin.send(
    new RegisterTargetWithMaintenanceWindowCommand({
      WindowId: nightly,
      ResourceType: 'INSTANCE',
      Targets: [{ Key: 'tag:Patch Group', Values: ['dev'] }],
    }),
  );
  weekly = (
    await admin.send(
      new CreateMaintenanceWindowCommand({
        Name: 'weekly-berlin',
        Schedule: 'cron(0 3 ? * SUN *)',
        ScheduleTimezone: 'Europe/Berlin',
        Duration: 4,
        Cutoff: 0,
        AllowUnassociatedTargets: true,
      }),
    )
  ).WindowId!;
  await admin.send(new UpdateMaintenanceWindowCommand({ WindowId: weekly, Enabled: false }));
});

afterAll(async () => {
  admin.destroy();
  await sandbox.close();
});

describe('sandbox SSM maintenance windows', () => {
  it('lists windows with AWS ids, filters on Enabled and gives enabled ones their NextExecutionTime', async () => {
    expect(nightly).toMatch(/^mw-[0-9a-f]{17}$/);
    const all = await admin.send(new DescribeMaintenanceWindowsCommand({}));
    expect(all.WindowIdentities).toHaveLength(2);
    const enabled = await admin.send(
      new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Enabled', Values: ['true'] }] }),
    );
    expect(enabled.WindowIdentities).toEqual([
      {
        WindowId: nightly,
        Name: 'nightly-patch',
        Enabled: true,
        Duration: 2,
        Cutoff: 1,
        Schedule: 'cron(0 3 ? * * *)',
        NextExecutionTime: '2026-12-01T03:00Z',
      },
    ]);
    const disabled = all.WindowIdentities!.find((w) => w.WindowId === weekly)!;
    expect(disabled).toMatchObject({ Enabled: false, ScheduleTimezone: 'Europe/Berlin' });
    expect(disabled.NextExecutionTime).toBeUndefined();
  });

  it('lists the next executions and the registered targets', async () => {
    const schedule = await admin.send(
      new DescribeMaintenanceWindowScheduleCommand({ WindowId: nightly, MaxResults: 2 }),
    );
    expect(schedule.ScheduledWindowExecutions).toEqual([
      { WindowId: nightly, Name: 'nightly-patch', ExecutionTime: '2026-12-01T03:00Z' },
      { WindowId: nightly, Name: 'nightly-patch', ExecutionTime: '2026-12-02T03:00Z' },
    ]);
    expect(schedule.NextToken).toBeDefined();
    const targets = await admin.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: nightly }));
    expect(targets.Targets).toEqual([
      expect.objectContaining({
        WindowId: nightly,
        ResourceType: 'INSTANCE',
        Targets: [{ Key: 'tag:Patch Group', Values: ['dev'] }],
      }),
    ]);
  });

  it('answers with AWS errors: an unknown window, a schedule it cannot evaluate, a cutoff past the duration', async () => {
    await expect(
      admin.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: 'mw-0123456789abcdef0' })),
    ).rejects.toMatchObject({ name: 'DoesNotExistException' });
    await expect(
      admin.send(
        new CreateMaintenanceWindowCommand({
          Name: 'third-tuesday',
          Schedule: 'cron(0 3 ? * TUE#3 *)',
          Duration: 2,
          Cutoff: 0,
          AllowUnassociatedTargets: false,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('not supported'),
    });
    await expect(
      admin.send(
        new CreateMaintenanceWindowCommand({
          Name: 'bad-cutoff',
          Schedule: 'cron(0 3 ? * * *)',
          Duration: 2,
          Cutoff: 2,
          AllowUnassociatedTargets: false,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it("allows scale-to-zero's role the three reads and refuses them to a role without them", async () => {
    const scale = client('scale-to-zero');
    await expect(
      scale.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Enabled', Values: ['true'] }] })),
    ).resolves.toMatchObject({ WindowIdentities: [expect.objectContaining({ WindowId: nightly })] });
    await expect(
      scale.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: nightly })),
    ).resolves.toBeDefined();
    await expect(
      scale.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: nightly })),
    ).resolves.toBeDefined();
    // Reading is all it may do.
    await expect(
      scale.send(new UpdateMaintenanceWindowCommand({ WindowId: nightly, Enabled: false })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied/) });
    scale.destroy();
    const tagger = client('tagger');
    await expect(tagger.send(new DescribeMaintenanceWindowsCommand({}))).rejects.toMatchObject({
      name: expect.stringMatching(/AccessDenied/),
    });
    tagger.destroy();
  });
});
