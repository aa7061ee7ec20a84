/**
 * The scale-to-zero run's read of SSM maintenance windows (patch windows): only when patch windows
 * are on and something is asleep by scale-to-zero's own record (the only resources a window can
 * start), so a run with nothing asleep makes no SSM call. A refused or failed read is a failure in
 * the summary; the run still does its schedule work, and what a window started still goes back to
 * off when the window ends (that needs only the resource's own record).
 */
import { readMaintenanceWindows } from '../aws/scale/maintenance-windows';
import type { AwsClients } from '../aws/clients';
import type { ScaleInventory } from '../aws/scale';
import { errorText } from '../errors';
import type { RunSummaryDetail } from '../events';
import { parseTransitionRecord, type MaintenanceWindow } from '../plan/scale';
import type { PatchWindowSettings } from '../schedule';
import { TAG, type Tags } from '../tags';

function asleepByRecord(tags: Tags, kind: 'scaled-to-zero' | 'stopped'): boolean {
  const text = tags[TAG.scaleToZeroLastTransition];
  const record = text === undefined ? undefined : parseTransitionRecord(text);
  return record !== undefined && record.deed.kind === kind && record.patch === undefined;
}

/** Whether a maintenance window could start anything in this inventory. */
export function anythingAsleep(inventory: ScaleInventory): boolean {
  return (
    inventory.groups.some(
      (g) => g.maxSize === 0 && g.desiredCapacity === 0 && asleepByRecord(g.tags, 'scaled-to-zero'),
    ) || inventory.instances.some((i) => i.state === 'stopped' && asleepByRecord(i.tags, 'stopped'))
  );
}

/** What a failed read means for the caller: the run's words by default; `npm run plan` says its own. */
const RUN_CONSEQUENCE =
  '; nothing was started for a patch window in this run (the schedule work went on; SCALE_PATCH_WINDOWS=false turns the read off)';

export async function readPatchWindows(
  clients: AwsClients,
  inventory: ScaleInventory,
  settings: PatchWindowSettings,
  now: Date,
  summary: Pick<RunSummaryDetail, 'failures' | 'skipped'>,
  consequence = RUN_CONSEQUENCE,
): Promise<MaintenanceWindow[]> {
  if (!settings.enabled || !anythingAsleep(inventory)) return [];
  try {
    const read = await readMaintenanceWindows(clients, { now, leadMinutes: settings.leadMinutes });
    for (const note of read.notes) summary.skipped.push({ resourceId: note.windowId, reason: note.reason });
    return read.windows;
  } catch (err) {
    summary.failures.push({
      resourceId: clients.region,
      action: 'DescribeMaintenanceWindows',
      message: `could not read the SSM maintenance windows (${errorText(err)})${consequence}`,
    });
    return [];
  }
}
