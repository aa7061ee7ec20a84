/**
 * Scale-to-zero's databases: the inventory of RDS DB instances and Aurora DB clusters tagged
 * ScaleToZero (their tags come with DescribeDBInstances/DescribeDBClusters' TagList: no call per
 * database), and the database phases of an apply. RDS acts on one database a call and tags one ARN
 * a call, so each database is its own short sequence: the stopped-at marker, the stop, then the
 * record; or the start, the record, then the marker dropped. The SDK loads with the first run.
 */
import type { DBCluster, DBInstance, RDSClient } from '@aws-sdk/client-rds';

import { errorText } from '../../errors';
import type { RunFailure } from '../../events';
import { transitionValue, type DatabaseRecord, type ScaleAction } from '../../plan/scale';
import { formatTimestamp, TAG, tagsFromList } from '../../tags';
import type { AwsClients } from '../clients';
import { mapWithConcurrency } from '../concurrency';
import { describe, outOfTime, type Ctx } from './context';

type RdsSdk = typeof import('@aws-sdk/client-rds');
let sdk: Promise<RdsSdk> | undefined;
const loadSdk = () => (sdk ??= import('@aws-sdk/client-rds'));

/**
 * The RDS client of this client set. A set without the serviceClient hook gets an error rather than
 * a client built from the region alone: that one would carry none of the set's endpoint, credentials
 * or retries and reach whatever the environment names (AWS itself, from a test).
 */
async function rdsOf(clients: AwsClients): Promise<{ rds: RDSClient; sdk: RdsSdk }> {
  if (!clients.serviceClient) {
    throw new Error(
      `no RDS client for ${clients.region}: the client set has no serviceClient hook (createClients provides one; a hand-made set passes serviceClientHook(...)), so RDS was not called`,
    );
  }
  const m = await loadSdk();
  return { rds: clients.serviceClient('rds', (config) => new m.RDSClient(config)), sdk: m };
}

/** Records per DescribeDBInstances/DescribeDBClusters page: RDS's maximum. */
export const RDS_PAGE = 100;

export interface DatabaseInventory {
  databases: DatabaseRecord[];
  /** Set when the databases could not be read: the run goes on with groups and instances. */
  failure?: RunFailure;
}

/**
 * Every DB instance and cluster is read (RDS's Describe calls have no tag filter) and only those
 * carrying ScaleToZero are kept. A refusal (a role deployed before databases were added, an SCP) is
 * reported and leaves the groups and instances to be scaled as before.
 */
export async function readDatabases(clients: AwsClients): Promise<DatabaseInventory> {
  try {
    const { rds, sdk: m } = await rdsOf(clients);
    const out: DatabaseRecord[] = [];
    const instances = await collect(
      m.paginateDescribeDBInstances({ client: rds }, { MaxRecords: RDS_PAGE }),
      (p) => p.DBInstances,
    );
    // An Aurora cluster runs on its member instances, which DescribeDBInstances lists with their
    // cluster: a region without any has no cluster worth stopping, and is spared the second read.
    const clusters = instances.some((i) => i.DBClusterIdentifier)
      ? await collect(
          m.paginateDescribeDBClusters({ client: rds }, { MaxRecords: RDS_PAGE }),
          (p) => p.DBClusters,
        )
      : [];
    for (const c of clusters) {
      // What a cluster's stop turns off, for the savings: its members as DescribeDBInstances lists them.
      const members = instances.filter((i) => i.DBClusterIdentifier === c.DBClusterIdentifier);
      out.push(clusterRecord(c, members));
    }
    for (const i of instances) out.push(instanceRecord(i));
    return { databases: out.filter((d) => d.tags[TAG.scaleToZero] !== undefined) };
  } catch (err) {
    return {
      databases: [],
      failure: {
        resourceId: clients.region,
        action: 'DescribeDBInstances',
        message: `the databases tagged ScaleToZero could not be read (${errorText(err)}); databases were left as they are this run, groups and instances were scaled`,
      },
    };
  }
}

async function collect<P, T>(pages: AsyncIterable<P>, items: (p: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

function instanceRecord(i: DBInstance): DatabaseRecord {
  const id = i.DBInstanceIdentifier ?? '';
  const record: DatabaseRecord = {
    type: 'db-instance',
    id,
    arn: i.DBInstanceArn ?? '',
    status: i.DBInstanceStatus ?? 'unknown',
    engine: i.Engine ?? '',
    tags: tagsFromList(i.TagList),
    multiAz: i.MultiAZ ?? false,
  };
  if (i.DBInstanceClass) record.instanceClass = i.DBInstanceClass;
  if (i.DBClusterIdentifier) record.clusterId = i.DBClusterIdentifier;
  if (i.ReadReplicaSourceDBInstanceIdentifier) record.replicaOf = i.ReadReplicaSourceDBInstanceIdentifier;
  if (i.ReadReplicaDBInstanceIdentifiers?.length) record.replicaIds = i.ReadReplicaDBInstanceIdentifiers;
  return record;
}

function clusterRecord(c: DBCluster, members: readonly DBInstance[]): DatabaseRecord {
  const record: DatabaseRecord = {
    type: 'db-cluster',
    id: c.DBClusterIdentifier ?? '',
    arn: c.DBClusterArn ?? '',
    status: c.Status ?? 'unknown',
    engine: c.Engine ?? '',
    tags: tagsFromList(c.TagList),
  };
  if (c.EngineMode) record.engineMode = c.EngineMode;
  record.members = members.map((m) => ({
    id: m.DBInstanceIdentifier ?? '',
    ...(m.DBInstanceClass ? { instanceClass: m.DBInstanceClass } : {}),
  }));
  if (c.ReplicationSourceIdentifier) record.replicaOf = c.ReplicationSourceIdentifier;
  return record;
}

type DatabaseAction = Extract<ScaleAction, { kind: 'stop-database' | 'start-database' | 'record-database' }>;

const isDatabaseAction = (a: ScaleAction): a is DatabaseAction =>
  a.kind === 'stop-database' || a.kind === 'start-database' || a.kind === 'record-database';

/**
 * The morning phase (starts, before groups and instances) or the night phase (stops and the other
 * records, after them). Each database is independent: a failure is recorded and the others go on.
 */
export async function applyDatabaseActions(
  ctx: Ctx,
  actions: readonly ScaleAction[],
  phase: 'start' | 'stop',
  concurrency: number,
): Promise<void> {
  const mine = actions
    .filter(isDatabaseAction)
    .filter((a) => (a.kind === 'start-database') === (phase === 'start'));
  if (mine.length === 0) return;
  let client: Awaited<ReturnType<typeof rdsOf>>;
  try {
    client = await rdsOf(ctx.clients);
  } catch (err) {
    // Only reachable with actions planned from databases some other client set read.
    for (const a of mine) fail(ctx, a, firstCall(a), `${describe(a)} not done: ${errorText(err)}`);
    return;
  }
  const { rds, sdk: m } = client;
  const call = (a: DatabaseAction, step: 'stop' | 'start', failed: (err: unknown) => void) => {
    const isCluster = a.database.type === 'db-cluster';
    const send = () =>
      step === 'stop'
        ? isCluster
          ? rds.send(new m.StopDBClusterCommand({ DBClusterIdentifier: a.database.id }))
          : rds.send(new m.StopDBInstanceCommand({ DBInstanceIdentifier: a.database.id }))
        : isCluster
          ? rds.send(new m.StartDBClusterCommand({ DBClusterIdentifier: a.database.id }))
          : rds.send(new m.StartDBInstanceCommand({ DBInstanceIdentifier: a.database.id }));
    return attempt(ctx, send, failed);
  };
  const tag = (a: DatabaseAction, key: string, value: string, failed: (err: unknown) => void) =>
    attempt(
      ctx,
      () =>
        rds.send(
          new m.AddTagsToResourceCommand({
            ResourceName: a.database.arn,
            Tags: [{ Key: key, Value: value }],
          }),
        ),
      failed,
    );
  const untag = (a: DatabaseAction, key: string) =>
    attempt(
      ctx,
      () => rds.send(new m.RemoveTagsFromResourceCommand({ ResourceName: a.database.arn, TagKeys: [key] })),
      (err) => fail(ctx, a, 'RemoveTagsFromResource', `could not remove ${key} (${errorText(err)})`),
    );

  await mapWithConcurrency(mine, concurrency, async (a) => {
    if (outOfTime(ctx, [a])) return;
    const record = (failed: (err: unknown) => void) =>
      tag(a, TAG.scaleToZeroLastTransition, transitionValue(a, ctx.now), failed);
    const unrecorded = (what: string) => (err: unknown) =>
      fail(
        ctx,
        a,
        'AddTagsToResource',
        `${what}, but ${TAG.scaleToZeroLastTransition} could not be written (${errorText(err)})${what.startsWith('stopping') ? '; without that record it is not started automatically: start it by hand when it should run' : '; the next run finds it running and records it'}`,
      );
    const refused = (action: string) => (err: unknown) =>
      fail(ctx, a, action, `${describe(a)} failed (${errorText(err)}); the next run tries again`);

    if (a.kind === 'record-database') {
      if (!(await record(refused('AddTagsToResource')))) return;
      ctx.result.done.push(a);
      if (a.dropMarker) await untag(a, TAG.scaleToZeroStoppedAt);
      return;
    }
    const isCluster = a.database.type === 'db-cluster';
    if (a.kind === 'stop-database') {
      // The marker goes on first, so a database we stopped can always be told from one a person stopped.
      const marked = await tag(a, TAG.scaleToZeroStoppedAt, formatTimestamp(ctx.now), (err) =>
        fail(
          ctx,
          a,
          'AddTagsToResource',
          `could not write ${TAG.scaleToZeroStoppedAt} (${errorText(err)}); not stopped, the next run tries again`,
        ),
      );
      if (!marked) return;
      if (!(await call(a, 'stop', refused(isCluster ? 'StopDBCluster' : 'StopDBInstance')))) return;
      ctx.result.done.push(a);
      await record(unrecorded('stopping worked'));
      return;
    }
    if (!(await call(a, 'start', refused(isCluster ? 'StartDBCluster' : 'StartDBInstance')))) return;
    ctx.result.done.push(a);
    if (await record(unrecorded('starting worked'))) await untag(a, TAG.scaleToZeroStoppedAt);
  });
}

async function attempt(
  ctx: Ctx,
  send: () => Promise<unknown>,
  failed: (err: unknown) => void,
): Promise<boolean> {
  try {
    await ctx.send(send);
    return true;
  } catch (err) {
    failed(err);
    return false;
  }
}

/** The RDS call an action begins with (the stop's marker comes first, then the stop). */
function firstCall(a: DatabaseAction): string {
  if (a.kind !== 'start-database') return 'AddTagsToResource';
  return a.database.type === 'db-cluster' ? 'StartDBCluster' : 'StartDBInstance';
}

function fail(ctx: Ctx, a: DatabaseAction, action: string, message: string): void {
  ctx.result.failures.push({ resourceId: a.database.id, action, message });
}
