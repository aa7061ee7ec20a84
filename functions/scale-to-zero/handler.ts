/**
 * Scale-to-zero Lambda: turns opted-in groups and instances off outside their schedule and back on
 * when it begins (see docs/scale-to-zero.md). Thin by design: the work is in shared/jobs/scale.ts,
 * the wiring in shared/lambda.
 */
import { runScale } from '../../shared/jobs/scale';
import { createJobHandler, type LambdaOptions } from '../../shared/lambda';
import {
  createPriceBook,
  createPricingClient,
  priceListLookup,
  PRICING_ENDPOINT_REGION,
} from '../../shared/pricing';
import { loadScaleSettings } from '../../shared/schedule';

/** The demo and the end-to-end tests pass a simulated clock (and the demo its env and log). */
export function makeScaleHandler(options: LambdaOptions = {}) {
  const clock = options.clock ?? Date.now;
  return createJobHandler(
    {
      name: 'scale-to-zero',
      loadSettings: loadScaleSettings,
      run: runScale,
      // One price book per Lambda instance: its prices are kept for a day across invocations.
      extraDeps: (_settings, perRegion) => ({
        prices: perRegion('pricing', PRICING_ENDPOINT_REGION, () =>
          createPriceBook({ lookup: priceListLookup(() => createPricingClient()), clock }),
        ),
      }),
    },
    options,
  );
}

export const handler = makeScaleHandler();
