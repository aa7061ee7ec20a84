/**
 * Self-heal Lambda: keeps a group of one's Elastic IP and data volume on whatever instance the
 * group launches (see docs/self-heal.md). Thin by design: the work is in shared/jobs/self-heal.ts,
 * the wiring in shared/lambda.
 */
import type { SelfHealJobDeps } from '../../shared/jobs/self-heal';
import { createJobHandler } from '../../shared/lambda/job-handler';
import type { LambdaOptions } from '../../shared/lambda/options';
import { loadSelfHealSettings, type SelfHealSettings } from '../../shared/self-heal/settings';

export function makeSelfHealHandler(options: LambdaOptions & { sleep?: (ms: number) => Promise<void> } = {}) {
  return createJobHandler<SelfHealSettings, Pick<SelfHealJobDeps, 'sleep' | 'event'>>(
    {
      name: 'self-heal',
      loadSettings: loadSelfHealSettings,
      // The job (and the AWS SDK it calls) loads with the first invocation (docs/performance.md#start).
      run: async (deps) => (await import('../../shared/jobs/self-heal')).runSelfHeal(deps),
      // A launch event names its group and instance; without one the run sweeps every region.
      extraDeps: async (_settings, _perRegion, event) =>
        (await import('../../shared/jobs/self-heal')).selfHealExtraDeps(event, options.sleep),
    },
    options,
  );
}

export const handler = makeSelfHealHandler();
