/**
 * Patch windows: which enabled SSM maintenance window targets a resource, and whether its lead time
 * or its run covers now. Dev boxes are patched at night, exactly when scale-to-zero has them off;
 * a box asleep by this function's own record is started a lead time before a window that targets
 * it and returned to off when the window ends (patch-rules.ts decides).
 */
import type { PatchWindowSettings } from '../../schedule';
import type { Tags } from '../../tags';

/** One target of a window, as DescribeMaintenanceWindowTargets lists it. */
export type WindowTarget =
  | { kind: 'instance-ids'; ids: readonly string[] }
  /** `tag:<key>` = one of the values. */
  | { kind: 'tag'; key: string; values: readonly string[] }
  /** `tag-key`: any of these keys present. */
  | { kind: 'tag-key'; keys: readonly string[] };

/** An enabled maintenance window, read by shared/aws/scale/maintenance-windows.ts. */
export interface MaintenanceWindow {
  id: string;
  name: string;
  /** The next execution (NextExecutionTime, or the first of DescribeMaintenanceWindowSchedule). */
  nextStart?: Date;
  /** Hours the window runs (Duration); Cutoff only stops new tasks earlier, so it does not extend it. */
  durationHours: number;
  targets: readonly WindowTarget[];
}

export { DEFAULT_PATCH_WINDOWS, type PatchWindowSettings } from '../../schedule';

/** A window whose lead time or run covers now, for one resource. */
export interface DueWindow {
  window: MaintenanceWindow;
  start: Date;
  /** start + Duration: when the resource goes back to off. */
  end: Date;
}

export interface PatchFacts {
  /** The window due now that targets the resource (the earliest-starting one), if any. */
  due?: DueWindow;
  leadMinutes: number;
  /** A window's name by id, for the reasons (undefined when the window was not read). */
  nameOf: (id: string) => string | undefined;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

function targets(t: WindowTarget, id: string | undefined, tags: Tags): boolean {
  switch (t.kind) {
    case 'instance-ids':
      return id !== undefined && t.ids.includes(id);
    case 'tag': {
      const value = tags[t.key];
      return value !== undefined && t.values.includes(value);
    }
    case 'tag-key':
      return t.keys.some((k) => tags[k] !== undefined);
  }
}

/**
 * The patch facts of one resource. An instance matches by its id or its tags; a group only by the
 * tags it propagates to its instances at launch (`PropagateAtLaunch`), since the window targets the
 * instances the group will launch, never the group itself.
 */
export function patchFactsFor(
  windows: readonly MaintenanceWindow[],
  settings: PatchWindowSettings,
  now: Date,
  target: { instanceId?: string; tags: Tags },
): PatchFacts {
  const byId = new Map(windows.map((w) => [w.id, w.name]));
  const facts: PatchFacts = { leadMinutes: settings.leadMinutes, nameOf: (id) => byId.get(id) };
  if (!settings.enabled) return facts;
  const lead = settings.leadMinutes * MINUTE_MS;
  for (const window of windows) {
    if (!window.nextStart) continue;
    if (!window.targets.some((t) => targets(t, target.instanceId, target.tags))) continue;
    const start = window.nextStart;
    const end = new Date(start.getTime() + window.durationHours * HOUR_MS);
    if (now.getTime() < start.getTime() - lead || now >= end) continue;
    if (!facts.due || start < facts.due.start) facts.due = { window, start, end };
  }
  return facts;
}
