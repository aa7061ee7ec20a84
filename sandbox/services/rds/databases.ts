/**
 * RDS DB instances and Aurora DB clusters: Describe (TagList, Marker pagination, the filters
 * db-instance-id, db-cluster-id and engine) and Stop/Start with RDS's rules: only an `available`
 * database stops and only a `stopped` one starts (InvalidDBInstanceState /
 * InvalidDBClusterStateFault); a read replica, a source of read replicas, a Multi-AZ SQL Server
 * instance, an Aurora member instance (the cluster is the unit), an Aurora Serverless v1 cluster and
 * a replica cluster cannot be stopped or started (InvalidParameterCombination).
 */
import { SandboxError } from '../../protocol/errors';
import {
  indexedList,
  indexedStructs,
  optionalInt,
  requiredParam,
  type FormParams,
} from '../../protocol/form';
import { checkRange } from '../../protocol/pagination';
import type { XmlList, XmlObject, XmlValue } from '../../protocol/xml';
import type { Tags } from '../../state/records';
import type { RegionState } from '../../state/region';
import type { QueryAction } from '../types';
import {
  getDbCluster,
  getDbInstance,
  rdsStore,
  replicasOf,
  settle,
  type DbClusterRecord,
  type DbInstanceRecord,
} from './store';

/** RDS names each list's items after their type: `<DBInstances><DBInstance>`, `<TagList><Tag>`. */
export function listOf(item: string, values: readonly XmlValue[]): XmlList {
  return { xmlListItem: item, items: values };
}

export function tagList(tags: Tags): XmlList {
  return listOf(
    'Tag',
    Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  );
}

function maxRecords(params: FormParams): number {
  const value = optionalInt(params, 'MaxRecords');
  checkRange('MaxRecords', value, 20, 100);
  return value ?? 100;
}

/** Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M, the ones RDS documents for these calls. */
function filtersOf(params: FormParams, fields: Record<string, (d: never) => string | undefined>) {
  const filters = indexedStructs(params, 'Filters.Filter').map((s) => ({
    name: s.get('Name') ?? '',
    values: new Set(indexedList(s, 'Values.Value')),
  }));
  for (const f of filters) {
    if (!(f.name in fields)) {
      throw new SandboxError('InvalidParameterValue', `Unrecognized filter name: ${f.name}.`);
    }
  }
  return <T>(d: T) =>
    filters.every((f) => f.values.has((fields[f.name] as unknown as (x: T) => string | undefined)(d) ?? ''));
}

function renderInstance(d: DbInstanceRecord, region: RegionState): XmlObject {
  return {
    DBInstanceIdentifier: d.id,
    DBInstanceArn: d.arn,
    DBInstanceClass: d.instanceClass,
    Engine: d.engine,
    DBInstanceStatus: d.status,
    MultiAZ: d.multiAz,
    DBClusterIdentifier: d.clusterId,
    ReadReplicaSourceDBInstanceIdentifier: d.replicaOf,
    ReadReplicaDBInstanceIdentifiers: listOf('ReadReplicaDBInstanceIdentifier', replicasOf(region, d.id)),
    TagList: tagList(d.tags),
  };
}

function renderCluster(c: DbClusterRecord): XmlObject {
  return {
    DBClusterIdentifier: c.id,
    DBClusterArn: c.arn,
    Engine: c.engine,
    EngineMode: c.engineMode,
    Status: c.status,
    ReplicationSourceIdentifier: c.replicaOf,
    DBClusterMembers: listOf(
      'DBClusterMember',
      c.memberIds.map((id, i) => ({ DBInstanceIdentifier: id, IsClusterWriter: i === 0 })),
    ),
    TagList: tagList(c.tags),
  };
}

function settleUnlessHeld(region: RegionState, d: { status: string; settlesTo?: string }): void {
  if (!rdsStore(region).holdTransitions) settle(d);
}

const describeDBInstances: QueryAction = (params, { region }) => {
  const id = params.get('DBInstanceIdentifier');
  if (id !== undefined && !getDbInstance(region, id)) throw instanceNotFound(id);
  const keep = filtersOf(params, {
    'db-instance-id': (d: DbInstanceRecord) => d.id,
    'db-cluster-id': (d: DbInstanceRecord) => d.clusterId,
    engine: (d: DbInstanceRecord) => d.engine,
  });
  const page = rdsStore(region).instances.page(
    params.get('Marker'),
    maxRecords(params),
    (d) => (id === undefined || d.id === id) && keep(d),
  );
  for (const d of page.items) settleUnlessHeld(region, d);
  return {
    DBInstances: listOf(
      'DBInstance',
      page.items.map((d) => renderInstance(d, region)),
    ),
    Marker: page.nextToken,
  };
};

const describeDBClusters: QueryAction = (params, { region }) => {
  const id = params.get('DBClusterIdentifier');
  if (id !== undefined && !getDbCluster(region, id)) throw clusterNotFound(id);
  const keep = filtersOf(params, {
    'db-cluster-id': (c: DbClusterRecord) => c.id,
    engine: (c: DbClusterRecord) => c.engine,
  });
  const page = rdsStore(region).clusters.page(
    params.get('Marker'),
    maxRecords(params),
    (c) => (id === undefined || c.id === id) && keep(c),
  );
  for (const c of page.items) {
    settleUnlessHeld(region, c);
    for (const m of c.memberIds) {
      const member = getDbInstance(region, m);
      if (member && !rdsStore(region).holdTransitions) member.status = c.status;
    }
  }
  return { DBClusters: listOf('DBCluster', page.items.map(renderCluster)), Marker: page.nextToken };
};

function instanceNotFound(id: string): SandboxError {
  return new SandboxError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
}

function clusterNotFound(id: string): SandboxError {
  return new SandboxError('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
}

/** Why RDS refuses to stop or start this instance whatever its state, or undefined. */
function configurationRefusal(d: DbInstanceRecord, region: RegionState, verb: string): string | undefined {
  if (d.clusterId) {
    return `${d.engine} as the engine is not supported for this API. Use ${verb}DBCluster for the Aurora cluster ${d.clusterId}.`;
  }
  if (d.replicaOf) return `Cannot ${verb.toLowerCase()} or start a Read-Replica instance (${d.id}).`;
  if (replicasOf(region, d.id).length > 0) {
    return `Cannot ${verb.toLowerCase()} DB instance ${d.id} because it has read replicas.`;
  }
  if (d.engine.startsWith('sqlserver') && d.multiAz) {
    return `Cannot ${verb.toLowerCase()} DB instance ${d.id}: SQL Server DB instances in a Multi-AZ configuration cannot be stopped or started.`;
  }
  return undefined;
}

function changeInstance(verb: 'Stop' | 'Start'): QueryAction {
  return (params, { region }) => {
    const id = requiredParam(params, 'DBInstanceIdentifier');
    const d = getDbInstance(region, id);
    if (!d) throw instanceNotFound(id);
    const refusal = configurationRefusal(d, region, verb);
    if (refusal) throw new SandboxError('InvalidParameterCombination', refusal);
    const [from, via, to] =
      verb === 'Stop' ? ['available', 'stopping', 'stopped'] : ['stopped', 'starting', 'available'];
    if (d.status !== from || d.settlesTo !== undefined) {
      throw new SandboxError(
        'InvalidDBInstanceState',
        verb === 'Stop'
          ? `Instance ${id} is not in available state.`
          : `Instance ${id} is not stopped, it cannot be started.`,
      );
    }
    d.status = via;
    d.settlesTo = to;
    return { DBInstance: renderInstance(d, region) };
  };
}

function changeCluster(verb: 'Stop' | 'Start'): QueryAction {
  return (params, { region }) => {
    const id = requiredParam(params, 'DBClusterIdentifier');
    const c = getDbCluster(region, id);
    if (!c) throw clusterNotFound(id);
    if (c.engineMode === 'serverless') {
      throw new SandboxError(
        'InvalidParameterCombination',
        `${verb} is not supported for Aurora Serverless v1 DB cluster ${id}.`,
      );
    }
    if (c.replicaOf) {
      throw new SandboxError(
        'InvalidDBClusterStateFault',
        `DB cluster ${id} is a read replica of ${c.replicaOf} and cannot be ${verb === 'Stop' ? 'stopped' : 'started'}.`,
      );
    }
    const [from, via, to] =
      verb === 'Stop' ? ['available', 'stopping', 'stopped'] : ['stopped', 'starting', 'available'];
    if (c.status !== from || c.settlesTo !== undefined) {
      throw new SandboxError(
        'InvalidDBClusterStateFault',
        `DbCluster ${id} is in ${c.status} state but expected it to be one of ${from}.`,
      );
    }
    c.status = via;
    c.settlesTo = to;
    for (const m of c.memberIds) {
      const member = getDbInstance(region, m);
      if (member) member.status = via;
    }
    return { DBCluster: renderCluster(c) };
  };
}

export const databaseActions = {
  DescribeDBInstances: describeDBInstances,
  DescribeDBClusters: describeDBClusters,
  StopDBInstance: changeInstance('Stop'),
  StartDBInstance: changeInstance('Start'),
  StopDBCluster: changeCluster('Stop'),
  StartDBCluster: changeCluster('Start'),
};
