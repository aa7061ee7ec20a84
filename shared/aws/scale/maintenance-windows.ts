/**
 * Scale-to-zero's read of SSM maintenance windows, once per run and region: the enabled windows
 * (DescribeMaintenanceWindows, Filters Enabled=true: its NextExecutionTime is the next start,
 * StartDate/EndDate and ScheduleOffset already applied), each window's targets
 * (DescribeMaintenanceWindowTargets), and DescribeMaintenanceWindowSchedule only for a window whose
 * identity carries no NextExecutionTime. Requests: 1 per 100 windows (paginated), plus one or two
 * per enabled window. Resource-group targets are not followed: they are reported, not guessed at.
 */
import {
  DescribeMaintenanceWindowScheduleCommand,
  paginateDescribeMaintenanceWindows,
  paginateDescribeMaintenanceWindowTargets,
  type MaintenanceWindowIdentity,
  type Target,
} from '@aws-sdk/client-ssm';

import type { MaintenanceWindow, WindowTarget } from '../../plan/scale';
import type { AwsClients } from '../clients';

export interface WindowNote {
  windowId: string;
  reason: string;
}

export interface MaintenanceWindowRead {
  windows: MaintenanceWindow[];
  /** Targets or windows that could not be used, each with why (reported in the run's skipped list). */
  notes: WindowNote[];
}

function targetOf(windowId: string, t: Target, notes: WindowNote[]): WindowTarget | undefined {
  const key = t.Key ?? '';
  const values = t.Values ?? [];
  if (key === 'InstanceIds') return { kind: 'instance-ids', ids: values };
  if (key === 'tag-key') return { kind: 'tag-key', keys: values };
  if (key.startsWith('tag:')) return { kind: 'tag', key: key.slice(4), values };
  notes.push({
    windowId,
    reason: `maintenance window target ${key}=${JSON.stringify(values)} is not supported by scale-to-zero (only InstanceIds, tag:<key> and tag-key): the resources it names are not started for the window`,
  });
  return undefined;
}

/** SSM writes times as ISO 8601 extended, to the minute (2026-12-02T03:00Z). */
function timeOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t);
}

async function nextStartOf(clients: AwsClients, w: MaintenanceWindowIdentity): Promise<Date | undefined> {
  const next = timeOf(w.NextExecutionTime);
  if (next) return next;
  const out = await clients.ssm.send(
    new DescribeMaintenanceWindowScheduleCommand({ WindowId: w.WindowId!, MaxResults: 1 }),
  );
  return timeOf(out.ScheduledWindowExecutions?.[0]?.ExecutionTime);
}

async function targetsOf(
  clients: AwsClients,
  windowId: string,
  notes: WindowNote[],
): Promise<WindowTarget[]> {
  const out: WindowTarget[] = [];
  const pages = paginateDescribeMaintenanceWindowTargets(
    { client: clients.ssm },
    { WindowId: windowId, MaxResults: 100 },
  );
  for await (const page of pages) {
    for (const registered of page.Targets ?? []) {
      for (const t of registered.Targets ?? []) {
        const target = targetOf(windowId, t, notes);
        if (target) out.push(target);
      }
    }
  }
  return out;
}

/**
 * The enabled windows; targets are read only for a window due within `leadMinutes` of `now` (the
 * others cannot start anything in this run, and are listed by name only, for the reasons).
 */
export async function readMaintenanceWindows(
  clients: AwsClients,
  due: { now: Date; leadMinutes: number },
): Promise<MaintenanceWindowRead> {
  const identities: MaintenanceWindowIdentity[] = [];
  const pages = paginateDescribeMaintenanceWindows(
    { client: clients.ssm },
    { Filters: [{ Key: 'Enabled', Values: ['true'] }], MaxResults: 100 },
  );
  for await (const page of pages) identities.push(...(page.WindowIdentities ?? []));
  const notes: WindowNote[] = [];
  const windows: MaintenanceWindow[] = [];
  for (const w of identities) {
    // Belt and braces: an endpoint that ignored the filter must not make a disabled window count.
    if (!w.WindowId || w.Enabled === false) continue;
    if (w.Duration === undefined) {
      notes.push({ windowId: w.WindowId, reason: 'maintenance window has no Duration: not used' });
      continue;
    }
    const window: MaintenanceWindow = {
      id: w.WindowId,
      name: w.Name ?? w.WindowId,
      durationHours: w.Duration,
      targets: [],
    };
    const next = await nextStartOf(clients, w);
    if (next) window.nextStart = next;
    if (next && next.getTime() - due.leadMinutes * 60_000 <= due.now.getTime()) {
      window.targets = await targetsOf(clients, w.WindowId, notes);
    }
    windows.push(window);
  }
  return { windows, notes };
}
