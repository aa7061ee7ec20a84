/**
 * Scale-to-zero Lambda: turns opted-in groups and instances off outside their schedule and back on
 * when it begins (see docs/scale-to-zero.md). Thin by design: the work is in shared/jobs/scale.ts,
 * the wiring in shared/lambda.
 */
import { createJobHandler } from '../../shared/lambda/job-handler';
import type { LambdaOptions } from '../../shared/lambda/options';

/** The demo and the end-to-end tests pass a simulated clock (and the demo its env and log). */
export function makeScaleHandler(options: LambdaOptions = {}) {
  const clock = options.clock ?? Date.now;
  // The schedule parser (luxon), the job, the pricing client and the AWS SDK load with the first
  // invocation: a cold start loads only the handler factory (docs/performance.md#start).
  return createJobHandler(
    {
      name: 'scale-to-zero',
      loadSettings: async (env) => (await import('../../shared/schedule')).loadScaleSettings(env),
      run: async (deps) => (await import('../../shared/jobs/scale')).runScale(deps),
      // One price book per Lambda instance: its prices are kept for a day across invocations.
      extraDeps: async (_settings, perRegion) => {
        const pricing = await import('../../shared/pricing');
        const at = pricing.PRICING_ENDPOINT_REGION;
        // One Price List client for both books, built when the first price is asked.
        const client = () => perRegion('pricing-client', at, () => pricing.createPricingClient());
        return {
          prices: perRegion('pricing', at, () =>
            pricing.createPriceBook({ lookup: pricing.priceListLookup(client), clock }),
          ),
          databasePrices: perRegion('pricing-rds', at, () =>
            pricing.createDatabasePriceBook({ lookup: pricing.databasePriceListLookup(client), clock }),
          ),
        };
      },
    },
    options,
  );
}

export const handler = makeScaleHandler();
