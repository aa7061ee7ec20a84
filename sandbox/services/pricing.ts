/**
 * The Price List Query API (scope `pricing`, JSON 1.1, `AWSPriceListService.GetProducts`): answers
 * from a small table of on-demand Linux prices, each product a JSON string in `PriceList` as AWS
 * sends it. Only TERM_MATCH filters on productFamily, instanceType, regionCode, operatingSystem,
 * tenancy, preInstalledSw, capacitystatus and usagetype are understood (what the fleet asks); its
 * endpoints exist in us-east-1, eu-central-1 and ap-south-1 only. Tests change the tables with
 * setSandboxPrice and setSandboxSnapshotPrice. Besides instances (`Compute Instance`) it lists EBS
 * snapshot storage (`Storage Snapshot`): per region the standard tier (usage type
 * `<prefix>-EBS:SnapshotUsage`, GB-Mo) and the archive tier beside it, as AWS does. ServiceCode
 * AmazonRDS lists DB instance-hours (pricing-rds.ts).
 */
import { SandboxError } from '../protocol/errors';
import type { SandboxState } from '../state/account';
import { onDemandTerms, tablePerAccount } from './price-list-shapes';
import { rdsProducts } from './pricing-rds';
import type { JsonServiceHandler } from './types';

const ENDPOINT_REGIONS = new Set(['us-east-1', 'eu-central-1', 'ap-south-1']);

/** USD per hour, Linux, shared tenancy: the same figures as the AWS price list (June 2026). */
const SEED_PRICES: Record<string, Record<string, number>> = {
  'eu-west-1': { 't3.micro': 0.0114, 't3.small': 0.0228, 't3.medium': 0.0456, 'm5.large': 0.107 },
  'us-east-1': { 't3.micro': 0.0104, 't3.small': 0.0208, 't3.medium': 0.0416, 'm5.large': 0.096 },
  'eu-central-1': { 't3.micro': 0.012, 't3.small': 0.024, 't3.medium': 0.048, 'm5.large': 0.115 },
};

/** USD per GB-month of standard EBS snapshot storage (the AWS price list, June 2026). */
const SEED_SNAPSHOT_PRICES: Record<string, number> = {
  'us-east-1': 0.05,
  'eu-west-1': 0.05,
  'eu-central-1': 0.054,
};

/** The archive tier, listed beside the standard one in the same product family. */
const SNAPSHOT_ARCHIVE_USD = 0.0125;

/** The region prefix of AWS's usage types (us-east-1 has none). */
const USAGE_PREFIX: Record<string, string> = { 'us-east-1': '', 'eu-west-1': 'EU-', 'eu-central-1': 'EUC1-' };

const tables = new WeakMap<SandboxState, Map<string, number>>();
const snapshotTableOf = tablePerAccount(SEED_SNAPSHOT_PRICES);

/** Sets (or, with undefined, removes) the standard snapshot storage price of a region (USD per GB-month). */
export function setSandboxSnapshotPrice(state: SandboxState, region: string, usd?: number): void {
  if (usd === undefined) snapshotTableOf(state).delete(region);
  else snapshotTableOf(state).set(region, usd);
}

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
    terms: onDemandTerms(sku, {
      unit: 'Hrs',
      description: `$${usd} per On Demand Linux ${instanceType} Instance Hour`,
      usd,
    }),
    version: '20260601000000',
    publicationDate: '2026-06-01T00:00:00Z',
  });
}

/** A snapshot storage product (a tier of one region) as the price list writes it. */
function snapshotProductJson(region: string, tier: 'standard' | 'archive', usd: number): string {
  const usagetype = `${USAGE_PREFIX[region] ?? `${region.toUpperCase()}-`}EBS:${tier === 'standard' ? 'SnapshotUsage' : 'SnapshotArchiveStorage'}`;
  const sku = `SANDBOXSNAP${tier.toUpperCase()}${region.replace(/\W/g, '').toUpperCase()}`;
  return JSON.stringify({
    product: {
      productFamily: 'Storage Snapshot',
      attributes: {
        regionCode: region,
        servicecode: 'AmazonEC2',
        storageMedia: tier === 'standard' ? 'Amazon S3' : 'Amazon S3 Glacier',
        usagetype,
      },
      sku,
    },
    serviceCode: 'AmazonEC2',
    terms: onDemandTerms(sku, {
      unit: 'GB-Mo',
      description: `$${usd} per GB-Month of ${tier === 'standard' ? 'snapshot data' : 'archived snapshot data'} stored`,
      usd,
    }),
    version: '20260601000000',
    publicationDate: '2026-06-01T00:00:00Z',
  });
}

/** The snapshot products the filters name: regionCode and usagetype, if given. */
function snapshotProducts(state: SandboxState, wanted: Record<string, string>): string[] {
  const list: string[] = [];
  for (const [region, usd] of snapshotTableOf(state)) {
    if (wanted.regionCode !== undefined && wanted.regionCode !== region) continue;
    for (const p of [
      snapshotProductJson(region, 'standard', usd),
      snapshotProductJson(region, 'archive', SNAPSHOT_ARCHIVE_USD),
    ]) {
      const usage = (JSON.parse(p) as { product: { attributes: { usagetype: string } } }).product.attributes
        .usagetype;
      if (wanted.usagetype === undefined || wanted.usagetype === usage) list.push(p);
    }
  }
  return list;
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
      if (input.ServiceCode !== 'AmazonEC2' && input.ServiceCode !== 'AmazonRDS') {
        throw new SandboxError(
          'InvalidParameterException',
          'Only ServiceCode AmazonEC2 and AmazonRDS are in this price list',
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
      if (input.ServiceCode === 'AmazonRDS') {
        const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
        return { FormatVersion: 'aws_v1', PriceList: rdsProducts(state, wanted).slice(0, max) };
      }
      const family = wanted.productFamily;
      const fixedMatch = Object.entries(FIXED).every(([k, v]) => wanted[k] === undefined || wanted[k] === v);
      const list: string[] = family === 'Storage Snapshot' ? snapshotProducts(state, wanted) : [];
      if (
        fixedMatch &&
        (family === undefined || family === 'Compute Instance') &&
        wanted.usagetype === undefined
      ) {
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
