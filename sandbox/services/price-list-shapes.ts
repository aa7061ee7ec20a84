/** What the local price list's product kinds share: a table per account, and AWS's on-demand term shape. */
import type { SandboxState } from '../state/account';

/** A price table per sandbox account, seeded on first use; tests change it through its setter. */
export function tablePerAccount(seed: Record<string, number>): (state: SandboxState) => Map<string, number> {
  const tables = new WeakMap<SandboxState, Map<string, number>>();
  return (state) => {
    let table = tables.get(state);
    if (!table) {
      table = new Map(Object.entries(seed));
      tables.set(state, table);
    }
    return table;
  };
}

/** A product's `terms` as the price list writes them: one on-demand offer with one price dimension. */
export function onDemandTerms(sku: string, dimension: { unit: string; description: string; usd: number }) {
  const offer = `${sku}.JRTCKXETXF`;
  return {
    OnDemand: {
      [offer]: {
        offerTermCode: 'JRTCKXETXF',
        sku,
        effectiveDate: '2026-06-01T00:00:00Z',
        priceDimensions: {
          [`${offer}.6YS6EN2CT7`]: {
            unit: dimension.unit,
            description: dimension.description,
            pricePerUnit: { USD: dimension.usd.toFixed(10) },
          },
        },
      },
    },
  };
}
