/**
 * Self-heal Lambda: keeps a group of one's Elastic IP and data volume on whatever instance the
 * group launches (see docs/self-heal.md). Thin by design: the work is in shared/jobs/self-heal.ts,
 * the wiring in shared/lambda.
 */
import { runSelfHeal, selfHealExtraDeps } from '../../shared/jobs/self-heal';
import { createJobHandler, type LambdaOptions } from '../../shared/lambda';
import { loadSelfHealSettings } from '../../shared/self-heal/settings';

export function makeSelfHealHandler(options: LambdaOptions & { sleep?: (ms: number) => Promise<void> } = {}) {
  return createJobHandler(
    {
      name: 'self-heal',
      loadSettings: loadSelfHealSettings,
      run: runSelfHeal,
      // A launch event names its group and instance; without one the run sweeps every region.
      extraDeps: (_settings, _perRegion, event) => selfHealExtraDeps(event, options.sleep),
    },
    options,
  );
}

export const handler = makeSelfHealHandler();
