/**
 * The local price list's RDS products (ServiceCode AmazonRDS, product family `Database Instance`):
 * on-demand DB instance-hours per region, class, engine (the price list's `databaseEngine` names:
 * PostgreSQL, MySQL, Aurora PostgreSQL, …) and deployment (`deploymentOption` Single-AZ, Multi-AZ),
 * each a JSON string as AWS sends it. TERM_MATCH filters on productFamily, regionCode, instanceType,
 * databaseEngine and deploymentOption are understood. Tests change the table with
 * setSandboxDatabasePrice.
 */
import type { SandboxState } from '../state/account';
import { onDemandTerms, tablePerAccount } from './price-list-shapes';

/** USD per hour (the AWS price list, June 2026): "region class engine deployment". */
const SEED: Record<string, number> = {
  'eu-west-1 db.t3.micro PostgreSQL Single-AZ': 0.019,
  'eu-west-1 db.t3.micro PostgreSQL Multi-AZ': 0.038,
  'eu-west-1 db.t3.medium PostgreSQL Single-AZ': 0.076,
  'eu-west-1 db.t3.medium PostgreSQL Multi-AZ': 0.152,
  'eu-west-1 db.t3.micro MySQL Single-AZ': 0.018,
  'eu-west-1 db.t3.micro MySQL Multi-AZ': 0.036,
  'eu-west-1 db.r6g.large Aurora PostgreSQL Single-AZ': 0.29,
  'eu-west-1 db.r6g.large Aurora MySQL Single-AZ': 0.29,
  'us-east-1 db.t3.micro PostgreSQL Single-AZ': 0.018,
  'us-east-1 db.t3.micro PostgreSQL Multi-AZ': 0.036,
};

const tableOf = tablePerAccount(SEED);

/** Sets (or, with undefined, removes) the price of a DB instance-hour; `engine` as the price list names it. */
export function setSandboxDatabasePrice(
  state: SandboxState,
  p: { region: string; instanceClass: string; engine: string; deployment: 'Single-AZ' | 'Multi-AZ' },
  usd?: number,
): void {
  const key = `${p.region} ${p.instanceClass} ${p.engine} ${p.deployment}`;
  if (usd === undefined) tableOf(state).delete(key);
  else tableOf(state).set(key, usd);
}

function productJson(
  region: string,
  instanceType: string,
  engine: string,
  deployment: string,
  usd: number,
): string {
  const sku = `SANDBOXRDS${[region, instanceType, engine, deployment].join('').replace(/\W/g, '').toUpperCase()}`;
  const usage = deployment === 'Multi-AZ' ? 'Multi-AZUsage' : 'InstanceUsage';
  return JSON.stringify({
    product: {
      productFamily: 'Database Instance',
      attributes: {
        regionCode: region,
        servicecode: 'AmazonRDS',
        instanceType,
        databaseEngine: engine,
        deploymentOption: deployment,
        licenseModel: 'No license required',
        usagetype: `${region === 'us-east-1' ? '' : 'EU-'}${usage}:${instanceType}`,
      },
      sku,
    },
    serviceCode: 'AmazonRDS',
    terms: onDemandTerms(sku, {
      unit: 'Hrs',
      description: `$${usd} per RDS ${instanceType} ${deployment} instance hour (or partial hour) running ${engine}`,
      usd,
    }),
    version: '20260601000000',
    publicationDate: '2026-06-01T00:00:00Z',
  });
}

/** The RDS products the filters name. */
export function rdsProducts(state: SandboxState, wanted: Record<string, string>): string[] {
  if (wanted.productFamily !== undefined && wanted.productFamily !== 'Database Instance') return [];
  const list: string[] = [];
  for (const [key, usd] of tableOf(state)) {
    const [region, instanceType, ...rest] = key.split(' ') as [string, string, ...string[]];
    const deployment = rest.pop()!;
    const engine = rest.join(' ');
    if (wanted.regionCode !== undefined && wanted.regionCode !== region) continue;
    if (wanted.instanceType !== undefined && wanted.instanceType !== instanceType) continue;
    if (wanted.databaseEngine !== undefined && wanted.databaseEngine !== engine) continue;
    if (wanted.deploymentOption !== undefined && wanted.deploymentOption !== deployment) continue;
    list.push(productJson(region, instanceType, engine, deployment, usd));
  }
  return list;
}
