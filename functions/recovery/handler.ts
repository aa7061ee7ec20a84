/**
 * Recovery Lambda: keeps EC2 recover/reboot status-check alarms on instances tagged AutoRecover=true
 * (see docs/recovery.md). Thin by design: the work is in shared/jobs/recovery.ts, the wiring in
 * shared/lambda.
 */
import type { RecoveryJobDeps } from '../../shared/jobs/recovery';
import { createJobHandler } from '../../shared/lambda/job-handler';
import type { LambdaOptions } from '../../shared/lambda/options';
import { loadRecoverySettings, type RecoverySettings } from '../../shared/recovery/settings';

/**
 * An EC2 state-change event names its region: only that region is swept (an instance that just
 * started gets its alarms, a terminated one loses them); a scheduled run sweeps every region.
 */
export function regionsForEvent(event: unknown, regions: readonly string[]): string[] {
  const e = (event ?? {}) as { source?: unknown; region?: unknown };
  if (e.source === 'aws.ec2' && typeof e.region === 'string' && regions.includes(e.region)) return [e.region];
  return [...regions];
}

export function makeRecoveryHandler(options: LambdaOptions = {}) {
  return createJobHandler<RecoverySettings, Pick<RecoveryJobDeps, 'cloudWatchFor'>>(
    {
      name: 'recovery',
      loadSettings: loadRecoverySettings,
      // The job (and the AWS SDK it calls) loads with the first invocation (docs/performance.md#start).
      run: async (deps) => (await import('../../shared/jobs/recovery')).runRecovery(deps),
      // CloudWatch is recovery's alone: kept out of AwsClients so no other bundle carries it.
      extraDeps: async (settings, perRegion) => {
        const { createCloudWatch } = await import('../../shared/jobs/recovery');
        return {
          cloudWatchFor: (region: string) =>
            perRegion('cloudWatch', region, (r) =>
              createCloudWatch(r, { maxAttempts: settings.maxAttempts }),
            ),
        };
      },
      regionsFor: regionsForEvent,
    },
    options,
  );
}

export const handler = makeRecoveryHandler();
