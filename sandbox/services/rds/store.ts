/**
 * RDS's records in one region: DB instances and DB clusters, their tags (kept on the record, looked
 * up by ARN as RDS's tagging calls do), the seeding helpers tests use, and how a state change
 * settles.
 *
 * Settling, deterministically: a Stop/Start answers with the transitional status (`stopping`,
 * `starting`) and the database keeps it until the next Describe of its kind, which settles it first
 * (`stopped`, `available`) and shows the settled state. A test that wants to see the transitional
 * status (a run finding a database still `stopping`) sets `holdTransitions`; then only
 * `settleDatabases` settles them. AWS's automatic start of a database stopped for 7 days is
 * `simulateAutomaticStart` (the sandbox has no clock of its own).
 */
import type { Tags } from '../../state/records';
import type { RegionState } from '../../state/region';
import { Table } from '../../state/table';

export const RDS_XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';

export interface DbInstanceRecord {
  id: string;
  arn: string;
  status: string;
  engine: string;
  instanceClass: string;
  multiAz: boolean;
  /** The Aurora cluster this instance belongs to. */
  clusterId?: string;
  /** The source of a read replica. */
  replicaOf?: string;
  /** Where a stop or start settles at the next describe. */
  settlesTo?: string;
  tags: Tags;
}

export interface DbClusterRecord {
  id: string;
  arn: string;
  status: string;
  engine: string;
  /** `provisioned`, or `serverless` (Aurora Serverless v1, which cannot be stopped). */
  engineMode: string;
  memberIds: string[];
  /** The source of a cross-Region read replica cluster. */
  replicaOf?: string;
  settlesTo?: string;
  tags: Tags;
}

export interface DbInstanceSeed {
  id: string;
  status?: string;
  engine?: string;
  instanceClass?: string;
  multiAz?: boolean;
  replicaOf?: string;
  tags?: Tags;
}

export interface DbClusterSeed {
  id: string;
  status?: string;
  engine?: string;
  engineMode?: string;
  /** Member instances to create (identifiers); default one writer `<id>-1`. */
  members?: string[];
  replicaOf?: string;
  tags?: Tags;
}

export interface RdsStore {
  instances: Table<DbInstanceRecord>;
  clusters: Table<DbClusterRecord>;
  /** When set, Stop/Start's transitional status stays until settleDatabases is called. */
  holdTransitions: boolean;
}

export function rdsStore(region: RegionState): RdsStore {
  return region.store('rds', () => ({
    instances: new Table<DbInstanceRecord>((d) => d.id),
    clusters: new Table<DbClusterRecord>((c) => c.id),
    holdTransitions: false,
  }));
}

const arnOf = (region: RegionState, kind: 'db' | 'cluster', id: string) =>
  `arn:aws:rds:${region.name}:${region.accountId}:${kind}:${id}`;

export function addDbInstance(region: RegionState, seed: DbInstanceSeed): DbInstanceRecord {
  return addInstanceRecord(region, seed, undefined);
}

function addInstanceRecord(region: RegionState, seed: DbInstanceSeed, clusterId: string | undefined) {
  const record: DbInstanceRecord = {
    id: seed.id,
    arn: arnOf(region, 'db', seed.id),
    status: seed.status ?? 'available',
    engine: seed.engine ?? 'postgres',
    instanceClass: seed.instanceClass ?? 'db.t4g.micro',
    multiAz: seed.multiAz ?? false,
    tags: { ...seed.tags },
  };
  if (clusterId) record.clusterId = clusterId;
  if (seed.replicaOf) {
    if (!rdsStore(region).instances.get(seed.replicaOf)) {
      throw new Error(`sandbox: read replica ${seed.id} needs its source ${seed.replicaOf} first`);
    }
    record.replicaOf = seed.replicaOf;
  }
  return rdsStore(region).instances.add(record);
}

/** An Aurora cluster and its member instances (which carry no tags unless tagged later). */
export function addDbCluster(region: RegionState, seed: DbClusterSeed): DbClusterRecord {
  const engine = seed.engine ?? 'aurora-postgresql';
  const status = seed.status ?? 'available';
  const memberIds = seed.members ?? [`${seed.id}-1`];
  const cluster = rdsStore(region).clusters.add({
    id: seed.id,
    arn: arnOf(region, 'cluster', seed.id),
    status,
    engine,
    engineMode: seed.engineMode ?? 'provisioned',
    memberIds,
    ...(seed.replicaOf ? { replicaOf: seed.replicaOf } : {}),
    tags: { ...seed.tags },
  });
  for (const id of memberIds) {
    addInstanceRecord(region, { id, engine, instanceClass: 'db.r6g.large', status }, seed.id);
  }
  return cluster;
}

export function getDbInstance(region: RegionState, id: string): DbInstanceRecord | undefined {
  return rdsStore(region).instances.get(id);
}

export function getDbCluster(region: RegionState, id: string): DbClusterRecord | undefined {
  return rdsStore(region).clusters.get(id);
}

/** Read replicas of a DB instance. */
export function replicasOf(region: RegionState, id: string): string[] {
  return [...rdsStore(region).instances.values()].filter((d) => d.replicaOf === id).map((d) => d.id);
}

/** The database an ARN names, for tagging calls and IAM's resource tags. */
export function databaseByArn(
  region: RegionState,
  arn: string,
): DbInstanceRecord | DbClusterRecord | undefined {
  const m = /^arn:aws:rds:([^:]+):(\d{12}):(db|cluster):(.+)$/.exec(arn);
  if (!m || m[1] !== region.name || m[2] !== region.accountId) return undefined;
  const store = rdsStore(region);
  return m[3] === 'db' ? store.instances.get(m[4]!) : store.clusters.get(m[4]!);
}

/** Every pending stop or start settles now (with holdTransitions, only this settles them). */
export function settleDatabases(region: RegionState): void {
  const store = rdsStore(region);
  for (const d of store.instances.values()) settle(d);
  for (const c of store.clusters.values()) {
    settle(c);
    for (const id of c.memberIds) {
      const member = store.instances.get(id);
      if (member) member.status = c.status;
    }
  }
}

export function settle(d: { status: string; settlesTo?: string }): void {
  if (d.settlesTo === undefined) return;
  d.status = d.settlesTo;
  delete d.settlesTo;
}

/**
 * AWS starts a database that has been stopped for 7 days (RDS event RDS-EVENT-0154, Aurora's
 * RDS-EVENT-0153): the tests' stand-in for those days passing. Only a stopped database starts.
 */
export function simulateAutomaticStart(region: RegionState, id: string): void {
  const store = rdsStore(region);
  const target = store.clusters.get(id) ?? store.instances.get(id);
  if (!target) throw new Error(`sandbox: no DB instance or cluster ${id} in ${region.name}`);
  if (target.status !== 'stopped') {
    throw new Error(`sandbox: ${id} is ${target.status}; AWS starts only a stopped database`);
  }
  target.status = 'available';
  if ('memberIds' in target) {
    for (const m of target.memberIds) {
      const member = store.instances.get(m);
      if (member) member.status = 'available';
    }
  }
}
