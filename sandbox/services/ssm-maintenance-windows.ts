/**
 * SSM maintenance windows (JSON 1.1, `AmazonSSM.*`): CreateMaintenanceWindow, UpdateMaintenanceWindow
 * (Enabled and the schedule), RegisterTargetWithMaintenanceWindow (instance ids, `tag:<key>`,
 * `tag-key`, or resource groups), DescribeMaintenanceWindows (Filters Name/Enabled, NextExecutionTime
 * for enabled windows), DescribeMaintenanceWindowTargets and DescribeMaintenanceWindowSchedule (the
 * next executions, computed from the cron or rate expression by ssm-cron.ts). AWS's shapes and
 * errors: DoesNotExistException for an unknown window, ValidationException for a bad value. Times
 * are computed against the store's clock, which a test sets to its simulated time.
 */
import { randomUUID } from 'node:crypto';

import { IANAZone } from 'luxon';

import { SandboxError } from '../protocol/errors';
import { pageOfArray } from '../protocol/pagination';
import type { SandboxState } from '../state/account';
import type { RegionState } from '../state/region';
import {
  nextExecutions,
  parseWindowSchedule,
  ScheduleExpressionError,
  type WindowSchedule,
} from './ssm-cron';
import type { JsonAction } from './types';

export interface MaintenanceWindowTarget {
  windowTargetId: string;
  resourceType: 'INSTANCE' | 'RESOURCE_GROUP';
  targets: { Key: string; Values: string[] }[];
  name?: string;
  ownerInformation?: string;
}

export interface MaintenanceWindow {
  windowId: string;
  name: string;
  description?: string;
  schedule: string;
  parsed: WindowSchedule;
  scheduleTimezone?: string;
  duration: number;
  cutoff: number;
  enabled: boolean;
  allowUnassociatedTargets: boolean;
  createdAt: Date;
  targets: MaintenanceWindowTarget[];
}

export interface MaintenanceWindowStore {
  windows: Map<string, MaintenanceWindow>;
  /** The local account's "now" for next executions; tests set it to their simulated clock. */
  clock: () => Date;
}

function storeOf(region: RegionState): MaintenanceWindowStore {
  return region.store('ssm-maintenance-windows', () => ({
    windows: new Map<string, MaintenanceWindow>(),
    clock: () => new Date(),
  }));
}

/** One region's maintenance windows and clock (for tests that seed, look inside or move time). */
export function maintenanceWindows(state: SandboxState, region: string): MaintenanceWindowStore {
  return storeOf(state.region(region));
}

const NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
const WINDOW_ID = /^mw-[0-9a-f]{17}$/;
const SCHEDULE_PAGE = 10;

function invalid(message: string): SandboxError {
  return new SandboxError('ValidationException', message);
}

function integer(input: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = input[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(
      `1 validation error detected: Value '${String(v)}' at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return v;
}

function scheduleOf(expression: unknown, zone: unknown): WindowSchedule {
  if (typeof expression !== 'string' || expression === '') throw invalid('Schedule must not be empty');
  if (zone !== undefined) {
    if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) {
      throw invalid(`Invalid ScheduleTimezone ${String(zone)}: expected an IANA time zone`);
    }
  }
  try {
    return parseWindowSchedule(expression);
  } catch (e) {
    if (e instanceof ScheduleExpressionError) throw invalid(e.message);
    throw e;
  }
}

function windowOf(store: MaintenanceWindowStore, input: Record<string, unknown>): MaintenanceWindow {
  const id = input.WindowId;
  if (typeof id !== 'string' || !WINDOW_ID.test(id)) {
    throw invalid(
      `1 validation error detected: Value '${String(id)}' at 'windowId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$`,
    );
  }
  const w = store.windows.get(id);
  if (!w) throw new SandboxError('DoesNotExistException', `Maintenance window ${id} does not exist`);
  return w;
}

function executions(w: MaintenanceWindow, after: Date, count: number): Date[] {
  if (!w.enabled) return [];
  const options: { zone?: string; start?: Date } = { start: w.createdAt };
  if (w.scheduleTimezone) options.zone = w.scheduleTimezone;
  return nextExecutions(w.parsed, after, count, options);
}

/** AWS writes execution times to the minute in ISO-8601 extended format, e.g. 2026-12-02T03:00Z. */
function minuteText(d: Date): string {
  return d.toISOString().slice(0, 16) + 'Z';
}

function identity(w: MaintenanceWindow, now: Date) {
  const next = executions(w, now, 1)[0];
  return {
    WindowId: w.windowId,
    Name: w.name,
    ...(w.description !== undefined ? { Description: w.description } : {}),
    Enabled: w.enabled,
    Duration: w.duration,
    Cutoff: w.cutoff,
    Schedule: w.schedule,
    ...(w.scheduleTimezone !== undefined ? { ScheduleTimezone: w.scheduleTimezone } : {}),
    ...(next ? { NextExecutionTime: minuteText(next) } : {}),
  };
}

function pageSize(input: Record<string, unknown>, min: number, max: number, fallback: number): number {
  return input.MaxResults === undefined ? fallback : integer(input, 'MaxResults', min, max);
}

const TARGET_KEY =
  /^(InstanceIds|tag:.{1,128}|tag-key|resource-groups:Name|resource-groups:ResourceTypeFilters)$/;

function targetsOf(raw: unknown): MaintenanceWindowTarget['targets'] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 5) {
    throw invalid('Targets must be a list of 1 to 5 {Key, Values} entries');
  }
  return raw.map((t: unknown) => {
    const { Key, Values } = (t ?? {}) as Record<string, unknown>;
    if (typeof Key !== 'string' || !TARGET_KEY.test(Key)) {
      throw invalid(
        `Target key ${String(Key)} is not valid: expected InstanceIds, tag:<key>, tag-key or resource-groups:Name`,
      );
    }
    if (!Array.isArray(Values) || Values.length === 0 || Values.some((v) => typeof v !== 'string')) {
      throw invalid(`Target ${Key}: Values must be a non-empty list of strings`);
    }
    return { Key, Values: Values as string[] };
  });
}

export const maintenanceWindowActions: Record<string, JsonAction> = {
  CreateMaintenanceWindow: (input, { region, state }) => {
    const store = storeOf(region);
    if (typeof input.Name !== 'string' || !NAME.test(input.Name)) {
      throw invalid(`Name ${String(input.Name)} is not valid: 3 to 128 of a-zA-Z0-9_-.`);
    }
    const duration = integer(input, 'Duration', 1, 24);
    const cutoff = integer(input, 'Cutoff', 0, 23);
    if (cutoff >= duration) {
      throw invalid(`Cutoff (${cutoff}) must be less than Duration (${duration})`);
    }
    if (typeof input.AllowUnassociatedTargets !== 'boolean') {
      throw invalid(
        "Value null at 'allowUnassociatedTargets' failed to satisfy constraint: Member must not be null",
      );
    }
    const parsed = scheduleOf(input.Schedule, input.ScheduleTimezone);
    const windowId = state.ids.next('mw');
    const w: MaintenanceWindow = {
      windowId,
      name: input.Name,
      schedule: input.Schedule as string,
      parsed,
      duration,
      cutoff,
      enabled: true,
      allowUnassociatedTargets: input.AllowUnassociatedTargets,
      createdAt: store.clock(),
      targets: [],
    };
    if (typeof input.Description === 'string') w.description = input.Description;
    if (typeof input.ScheduleTimezone === 'string') w.scheduleTimezone = input.ScheduleTimezone;
    store.windows.set(windowId, w);
    return { WindowId: windowId };
  },
  UpdateMaintenanceWindow: (input, { region }) => {
    const store = storeOf(region);
    const w = windowOf(store, input);
    if (input.Enabled !== undefined) {
      if (typeof input.Enabled !== 'boolean') throw invalid('Enabled must be true or false');
      w.enabled = input.Enabled;
    }
    if (input.Schedule !== undefined || input.ScheduleTimezone !== undefined) {
      const zone = input.ScheduleTimezone ?? w.scheduleTimezone;
      w.parsed = scheduleOf(input.Schedule ?? w.schedule, zone);
      if (typeof input.Schedule === 'string') w.schedule = input.Schedule;
      if (typeof input.ScheduleTimezone === 'string') w.scheduleTimezone = input.ScheduleTimezone;
    }
    if (input.Duration !== undefined) w.duration = integer(input, 'Duration', 1, 24);
    if (input.Cutoff !== undefined) w.cutoff = integer(input, 'Cutoff', 0, 23);
    return identity(w, store.clock());
  },
  RegisterTargetWithMaintenanceWindow: (input, { region }) => {
    const w = windowOf(storeOf(region), input);
    const resourceType = input.ResourceType;
    if (resourceType !== 'INSTANCE' && resourceType !== 'RESOURCE_GROUP') {
      throw invalid(`ResourceType ${String(resourceType)} is not valid: expected INSTANCE or RESOURCE_GROUP`);
    }
    const target: MaintenanceWindowTarget = {
      windowTargetId: randomUUID(),
      resourceType,
      targets: targetsOf(input.Targets),
    };
    if (typeof input.Name === 'string') target.name = input.Name;
    if (typeof input.OwnerInformation === 'string') target.ownerInformation = input.OwnerInformation;
    w.targets.push(target);
    return { WindowTargetId: target.windowTargetId };
  },
  DescribeMaintenanceWindows: (input, { region }) => {
    const store = storeOf(region);
    const limit = pageSize(input, 10, 100, 50);
    const filters = Array.isArray(input.Filters) ? (input.Filters as Record<string, unknown>[]) : [];
    const tests = filters.map((f) => {
      const values = Array.isArray(f.Values) ? f.Values.map(String) : [];
      if (f.Key === 'Name') return (w: MaintenanceWindow) => values.includes(w.name);
      if (f.Key === 'Enabled') return (w: MaintenanceWindow) => values.includes(String(w.enabled));
      throw invalid(`Filter key ${String(f.Key)} is not valid: expected Name or Enabled`);
    });
    const all = [...store.windows.values()].filter((w) => tests.every((t) => t(w)));
    const page = pageOfArray(all, typeof input.NextToken === 'string' ? input.NextToken : undefined, limit);
    const now = store.clock();
    return {
      WindowIdentities: page.items.map((w) => identity(w, now)),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  },
  DescribeMaintenanceWindowTargets: (input, { region }) => {
    const w = windowOf(storeOf(region), input);
    const limit = pageSize(input, 10, 100, 50);
    const page = pageOfArray(
      w.targets,
      typeof input.NextToken === 'string' ? input.NextToken : undefined,
      limit,
    );
    return {
      Targets: page.items.map((t) => ({
        WindowId: w.windowId,
        WindowTargetId: t.windowTargetId,
        ResourceType: t.resourceType,
        Targets: t.targets,
        ...(t.name !== undefined ? { Name: t.name } : {}),
        ...(t.ownerInformation !== undefined ? { OwnerInformation: t.ownerInformation } : {}),
      })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  },
  DescribeMaintenanceWindowSchedule: (input, { region }) => {
    const store = storeOf(region);
    const w = windowOf(store, input);
    const limit = pageSize(input, 1, 100, SCHEDULE_PAGE);
    // The next few executions; a page past them asks for more from the same point in time.
    const all = executions(w, store.clock(), 5 * SCHEDULE_PAGE);
    const page = pageOfArray(all, typeof input.NextToken === 'string' ? input.NextToken : undefined, limit);
    return {
      ScheduledWindowExecutions: page.items.map((at) => ({
        WindowId: w.windowId,
        Name: w.name,
        ExecutionTime: minuteText(at),
      })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  },
};
