/**
 * AutoCleanup Lambda: deregisters opted-in AMIs unused past the retention, and their snapshots
 * (see docs/cleanup.md). Thin by design: the work is in shared/jobs/cleanup/, the wiring in
 * shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { createJobHandler } from '../../shared/lambda/job-handler';
import type { LambdaOptions } from '../../shared/lambda/options';

// The job (and the AWS SDK it calls) loads with the first invocation: a cold start loads only the
// settings and the handler factory (docs/performance.md#start).
export function makeCleanupHandler(options: LambdaOptions = {}) {
  const clock = options.clock ?? Date.now;
  return createJobHandler(
    {
      name: 'cleanup',
      loadSettings,
      run: async (deps) => (await import('../../shared/jobs/cleanup')).runCleanup(deps),
      // The price of snapshot storage, for the summary's estimate of what the deletions save. One
      // price book per Lambda instance; the client is made only when a run freed something.
      extraDeps: async (_settings, perRegion) => {
        const pricing = await import('../../shared/pricing');
        return {
          snapshotPrices: perRegion('snapshot-pricing', pricing.PRICING_ENDPOINT_REGION, () =>
            pricing.createSnapshotPriceBook({
              lookup: pricing.snapshotPriceListLookup(() => pricing.createPricingClient()),
              clock,
            }),
          ),
        };
      },
    },
    options,
  );
}

export const handler = makeCleanupHandler();
