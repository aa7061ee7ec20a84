/**
 * Scale-to-zero's read of maintenance windows (shared/aws/scale/maintenance-windows.ts), signed as
 * its role against the local account: enabled windows only, targets read only for a window due
 * within the lead time, resource-group targets reported rather than followed, and
 * DescribeMaintenanceWindowSchedule only for a window listed without NextExecutionTime.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CreateMaintenanceWindowCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  SSMClient,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { ssm as ssmService } from '../../../sandbox/services/ssm';
import { maintenanceWindows } from '../../../sandbox/services/ssm-maintenance-windows';
import type { JsonServiceHandler } from '../../../sandbox/services/types';
import { readMaintenanceWindows } from '../../../shared/aws/scale/maintenance-windows';
import type { AwsClients } from '../../../shared/aws/clients';

const REGION = 'eu-west-1';
const NOW = new Date('2026-12-01T02:40:00Z');
let sandbox: Sandbox;
const made: SSMClient[] = [];

afterEach(async () => {
  for (const c of made.splice(0)) c.destroy();
  await sandbox.close();
});

function ssmAs(caller: 'admin' | 'scale-to-zero'): SSMClient {
  const c = new SSMClient({
    region: REGION,
    endpoint: sandbox.url,
    credentials: sandbox.credentials(caller),
  });
  made.push(c);
  return c;
}

async function window(name: string, schedule: string, targets: { Key: string; Values: string[] }[]) {
  const admin = ssmAs('admin');
  const { WindowId } = await admin.send(
    new CreateMaintenanceWindowCommand({
      Name: name,
      Schedule: schedule,
      Duration: 2,
      Cutoff: 1,
      AllowUnassociatedTargets: false,
    }),
  );
  for (const t of targets) {
    await admin.send(
      new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [t] }),
    );
  }
  return WindowId!;
}

async function start(services?: JsonServiceHandler[]) {
  sandbox = await startSandbox(services ? { services } : {});
  maintenanceWindows(sandbox.state, REGION).clock = () => NOW;
}

const clients = () => ({ region: REGION, ssm: ssmAs('scale-to-zero') }) as unknown as AwsClients;

describe("scale-to-zero's maintenance-window read", () => {
  it('reads enabled windows, the targets of due ones only, and reports resource-group targets', async () => {
    await start();
    const due = await window('nightly-patch', 'cron(0 3 ? * * *)', [
      { Key: 'tag:Patch Group', Values: ['dev'] },
      { Key: 'InstanceIds', Values: ['i-0abc'] },
      { Key: 'resource-groups:Name', Values: ['dev-boxes'] },
    ]);
    const later = await window('weekly-sunday', 'cron(0 3 ? * SUN *)', [
      { Key: 'tag-key', Values: ['Patch'] },
    ]);
    const off = await window('switched-off', 'cron(0 3 ? * * *)', [
      { Key: 'tag:Patch Group', Values: ['dev'] },
    ]);
    await ssmAs('admin').send(new UpdateMaintenanceWindowCommand({ WindowId: off, Enabled: false }));
    sandbox.requests.reset();

    const read = await readMaintenanceWindows(clients(), { now: NOW, leadMinutes: 30 });

    expect(read.windows).toEqual([
      {
        id: due,
        name: 'nightly-patch',
        durationHours: 2,
        nextStart: new Date('2026-12-01T03:00:00Z'),
        targets: [
          { kind: 'tag', key: 'Patch Group', values: ['dev'] },
          { kind: 'instance-ids', ids: ['i-0abc'] },
        ],
      },
      // Not due before Sunday: listed for its name, its targets not read.
      {
        id: later,
        name: 'weekly-sunday',
        durationHours: 2,
        nextStart: new Date('2026-12-06T03:00:00Z'),
        targets: [],
      },
    ]);
    expect(read.notes).toEqual([
      {
        windowId: due,
        reason: expect.stringContaining('resource-groups:Name=["dev-boxes"] is not supported'),
      },
    ]);
    expect(sandbox.requests.counts()).toEqual({
      'ssm:DescribeMaintenanceWindows': 1,
      'ssm:DescribeMaintenanceWindowTargets': 1,
    });
  });

  it('asks DescribeMaintenanceWindowSchedule for a window listed without NextExecutionTime', async () => {
    const listed = ssmService.actions.DescribeMaintenanceWindows!;
    const withoutNext: JsonServiceHandler = {
      ...ssmService,
      actions: {
        ...ssmService.actions,
        DescribeMaintenanceWindows: (input, ctx) => {
          const out = listed(input, ctx) as { WindowIdentities: Record<string, unknown>[] };
          return {
            ...out,
            WindowIdentities: out.WindowIdentities.map(({ NextExecutionTime: _, ...w }) => w),
          };
        },
      },
    };
    await start([withoutNext]);
    const id = await window('nightly-patch', 'cron(0 3 ? * * *)', [
      { Key: 'tag:Patch Group', Values: ['dev'] },
    ]);
    sandbox.requests.reset();
    const read = await readMaintenanceWindows(clients(), { now: NOW, leadMinutes: 30 });
    expect(read.windows).toMatchObject([{ id, nextStart: new Date('2026-12-01T03:00:00Z') }]);
    expect(sandbox.requests.counts()).toEqual({
      'ssm:DescribeMaintenanceWindows': 1,
      'ssm:DescribeMaintenanceWindowSchedule': 1,
      'ssm:DescribeMaintenanceWindowTargets': 1,
    });
  });
});
