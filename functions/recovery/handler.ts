/**
 * Recovery Lambda: keeps EC2 recover/reboot status-check alarms on instances tagged AutoRecover=true
 * (see docs/recovery.md). Thin by design: the work is in shared/jobs/recovery.ts, the wiring in
 * shared/lambda.
 */
import { createCloudWatch, runRecovery } from '../../shared/jobs/recovery';
import { createJobHandler, type LambdaOptions } from '../../shared/lambda';
import { loadRecoverySettings } from '../../shared/recovery/settings';

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
  return createJobHandler(
    {
      name: 'recovery',
      loadSettings: loadRecoverySettings,
      run: runRecovery,
      // CloudWatch is recovery's alone: kept out of AwsClients so no other bundle carries it.
      extraDeps: (settings, perRegion) => ({
        cloudWatchFor: (region: string) =>
          perRegion('cloudWatch', region, (r) => createCloudWatch(r, { maxAttempts: settings.maxAttempts })),
      }),
      regionsFor: regionsForEvent,
    },
    options,
  );
}

export const handler = makeRecoveryHandler();
