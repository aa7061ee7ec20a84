/**
 * The recovery scenario (issue 15): N opted-in instances outside groups, a first run that creates two
 * alarms each, a second that writes nothing, and a third after a tenth of them terminated, which
 * deletes their alarms. Each run is the real job in a child, signed as the recovery role, and is
 * judged against recoveryLowerBound.
 */
import { cloudWatchAlarms } from '../sandbox/services/cloudwatch';
import { REGION } from './account';
import { recoveryLowerBound, type RecoveryShape } from './bounds';
import { runInChild } from './child';
import { BENCH_NOW, row, withSandbox, type JobRow, type ModelOptions } from './scenarios';
import { applyThrottleModel } from './throttle-model';

/** The fleet's alarm prefix (`<service>-<stage>-recover-`): the sandbox's roles are the `local` stage's, whose policy allows alarm writes under this prefix only. */
export const RECOVERY_PREFIX = 'ec2-hygiene-local-recover-';
/** The recovery function's default memory size (functions/recovery/function.yml). */
export const RECOVERY_MEMORY_MB = 256;
/** Alarms per opted-in instance: a recover one (system check) and a reboot one (instance check). */
const ALARMS_PER_INSTANCE = 2;

export interface RecoveryOutcome {
  /** One row per run: first, steady (idempotent), after the terminations. */
  rows: JobRow[];
  instances: number;
  terminated: number;
  /** Fleet alarms in the account after each run. */
  alarmsAfter: number[];
  /** What each run's summary says it wrote and deleted. */
  written: number[];
  deleted: number[];
}

export async function recoveryScenario(instances: number, model: ModelOptions): Promise<RecoveryOutcome> {
  return withSandbox(async (sandbox) => {
    const region = sandbox.state.region(REGION);
    const image = region.addImage({ name: 'recovery-base', snapshotIds: [] }).id;
    const seeded = Array.from({ length: instances }, (_, i) =>
      region.addInstance({
        imageId: image,
        state: 'running',
        instanceType: 't3.micro',
        tags: { AutoRecover: 'true', Name: `svc-${i}` },
      }),
    );
    applyThrottleModel(sandbox, { latencyMs: model.latencyMs });
    const env = {
      ...sandbox.env(REGION, 'recovery'),
      REGIONS: REGION,
      RECOVERY_ALARM_PREFIX: RECOVERY_PREFIX,
    };
    const terminated = Math.floor(instances / 10);
    const alarms = () =>
      [...cloudWatchAlarms(sandbox.state, REGION).keys()].filter((n) => n.startsWith(RECOVERY_PREFIX)).length;
    const outcome: RecoveryOutcome = {
      rows: [],
      instances,
      terminated,
      alarmsAfter: [],
      written: [],
      deleted: [],
    };
    const phases: { label: string; before?: () => void; shape: () => RecoveryShape }[] = [
      {
        label: `${instances} first run`,
        shape: () => ({
          taggedInstances: instances,
          instanceTypes: 1,
          prefixedAlarms: 0,
          alarmsToWrite: ALARMS_PER_INSTANCE * instances,
          alarmsToDelete: 0,
        }),
      },
      {
        label: `${instances} steady`,
        shape: () => ({
          taggedInstances: instances,
          instanceTypes: 1,
          prefixedAlarms: ALARMS_PER_INSTANCE * instances,
          alarmsToWrite: 0,
          alarmsToDelete: 0,
        }),
      },
      {
        label: `${instances} ${terminated} terminated`,
        before: () => {
          for (const i of seeded.slice(0, terminated)) i.state = 'terminated';
        },
        shape: () => ({
          taggedInstances: instances,
          instanceTypes: 1,
          prefixedAlarms: ALARMS_PER_INSTANCE * instances,
          alarmsToWrite: 0,
          alarmsToDelete: ALARMS_PER_INSTANCE * terminated,
        }),
      },
    ];
    for (const phase of phases) {
      phase.before?.();
      sandbox.requests.reset();
      const child = await runInChild({ kind: 'recovery', now: BENCH_NOW }, env, {
        memoryMb: RECOVERY_MEMORY_MB,
      });
      const counts = child.runs[0]?.summary.counts ?? {};
      outcome.written.push(counts.alarmsWritten ?? 0);
      outcome.deleted.push(counts.alarmsDeleted ?? 0);
      outcome.alarmsAfter.push(alarms());
      outcome.rows.push(
        row('recovery', phase.label, sandbox, child, recoveryLowerBound(phase.shape()), model),
      );
    }
    return outcome;
  });
}
