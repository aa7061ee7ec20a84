/**
 * The Price List Query API (scope `pricing`, JSON 1.1, `AWSPriceListService.GetProducts`): answers
 * from a small table of on-demand Linux prices, each product a JSON string in `PriceList` as AWS
 * sends it. Only TERM_MATCH filters on instanceType, regionCode, operatingSystem, tenancy,
 * preInstalledSw and capacitystatus are understood (what the fleet asks); its endpoints exist in
 * us-east-1, eu-central-1 and ap-south-1 only. Tests change the table with setSandboxPrice.
 */
import { SandboxError } from '../protocol/errors';
import type { SandboxState } from '../state/account';
import type { JsonServiceHandler } from './types';

const ENDPOINT_REGIONS = new Set(['us-east-1', 'eu-central-1', 'ap-south-1']);

/** USD per hour, Linux, shared tenancy: the same figures as the AWS price list (June 2026). */
const SEED_PRICES: Record<string, Record<string, number>> = {
  'eu-west-1': { 't3.micro': 0.0114, 't3.small': 0.0228, 't3.medium': 0.0456, 'm5.large': 0.107 },
  'us-east-1': { 't3.micro': 0.0104, 't3.small': 0.0208, 't3.medium': 0.0416, 'm5.large': 0.096 },
  'eu-central-1': { 't3.micro': 0.012, 't3.small': 0.024, 't3.medium': 0.048, 'm5.large': 0.115 },
};

const tables = new WeakMap<SandboxState, Map<string, number>>();

function tableOf(state: SandboxState): Map<string, number> {
  let table = tables.get(state);
  if (!table) {
    table = new Map();
    for (const [region, prices] of Object.entries(SEED_PRICES)) {
      for (const [type, usd] of Object.entries(prices)) table.set(`${region} ${type}`, usd);
    }
    tables.set(state, table);
  }
  return table;
}

/** Sets (or, with undefined, removes) the price list's figure for a type in a region. */
export function setSandboxPrice(
  state: SandboxState,
  region: string,
  instanceType: string,
  usd?: number,
): void {
  const key = `${region} ${instanceType}`;
  if (usd === undefined) tableOf(state).delete(key);
  else tableOf(state).set(key, usd);
}

/** One product as the price list writes it: attributes, and the on-demand term with its dimension. */
function productJson(region: string, instanceType: string, usd: number): string {
  const sku = `SANDBOX${instanceType.replace(/\W/g, '').toUpperCase()}${region.replace(/\W/g, '').toUpperCase()}`;
  const offer = `${sku}.JRTCKXETXF`;
  return JSON.stringify({
    product: {
      productFamily: 'Compute Instance',
      attributes: {
        instanceType,
        regionCode: region,
        operatingSystem: 'Linux',
        tenancy: 'Shared',
        preInstalledSw: 'NA',
        capacitystatus: 'Used',
        servicecode: 'AmazonEC2',
      },
      sku,
    },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [offer]: {
          offerTermCode: 'JRTCKXETXF',
          sku,
          effectiveDate: '2026-06-01T00:00:00Z',
          priceDimensions: {
            [`${offer}.6YS6EN2CT7`]: {
              unit: 'Hrs',
              description: `$${usd} per On Demand Linux ${instanceType} Instance Hour`,
              pricePerUnit: { USD: usd.toFixed(10) },
            },
          },
        },
      },
    },
    version: '20260601000000',
    publicationDate: '2026-06-01T00:00:00Z',
  });
}

/** The only values the table holds for the attributes other than type and region. */
const FIXED: Record<string, string> = {
  operatingSystem: 'Linux',
  tenancy: 'Shared',
  preInstalledSw: 'NA',
  capacitystatus: 'Used',
};

export const pricing: JsonServiceHandler = {
  service: 'pricing',
  protocol: 'json1.1',
  targetPrefix: 'AWSPriceListService',
  actions: {
    GetProducts: (input, { region, state }) => {
      if (!ENDPOINT_REGIONS.has(region.name)) {
        throw new SandboxError(
          'InvalidEndpoint',
          `The Price List API has no endpoint in ${region.name}: use us-east-1, eu-central-1 or ap-south-1`,
        );
      }
      if (input.ServiceCode !== 'AmazonEC2') {
        throw new SandboxError(
          'InvalidParameterException',
          'Only ServiceCode AmazonEC2 is in this price list',
        );
      }
      const filters = Array.isArray(input.Filters) ? (input.Filters as Record<string, unknown>[]) : [];
      const wanted: Record<string, string> = {};
      for (const f of filters) {
        if (typeof f.Field !== 'string' || typeof f.Value !== 'string') {
          throw new SandboxError('ValidationException', 'Every filter needs a Field and a Value');
        }
        wanted[f.Field] = f.Value;
      }
      const fixedMatch = Object.entries(FIXED).every(([k, v]) => wanted[k] === undefined || wanted[k] === v);
      const list: string[] = [];
      if (fixedMatch) {
        for (const [key, usd] of tableOf(state)) {
          const [r, type] = key.split(' ') as [string, string];
          if (wanted.regionCode !== undefined && wanted.regionCode !== r) continue;
          if (wanted.instanceType !== undefined && wanted.instanceType !== type) continue;
          list.push(productJson(r, type, usd));
        }
      }
      const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
      return { FormatVersion: 'aws_v1', PriceList: list.slice(0, max) };
    },
  },
};
