/**
 * What the database rules look at, beside the facts every resource has: the database itself, the
 * stopped-at marker and the record of a stop (as for instances), and why RDS would refuse to stop it.
 */
import { stopFacts, type StopFacts, type TagFacts, type TransitionFacts } from './facts';
import type { DatabaseRecord, DatabaseRef } from './types';

/**
 * RDS starts a database that has been stopped for 7 days by itself (AWS's own rule). A database of
 * ours found running earlier than this after our stop was started by someone; an hour of slack
 * allows for RDS's own timing (misjudging the other way would fight a person every 15 minutes).
 */
export const RDS_AUTO_START_MS = 7 * 24 * 3_600_000 - 3_600_000;

/** RDS starts a stopped database after 7 days: a stop saves at most that long. */
export function databaseHoursOff(f: TransitionFacts): number {
  return Math.min(f.hoursOff, 7 * 24);
}

export interface DatabaseTagFacts extends TagFacts {
  database: DatabaseRecord;
  /** Aurora clusters carrying ScaleToZero: their member instances are stopped through the cluster. */
  managedClusters: ReadonlySet<string>;
}

export interface DatabaseFacts extends StopFacts {
  database: DatabaseRecord;
}

export function databaseFacts(f: TransitionFacts, database: DatabaseRecord): DatabaseFacts {
  return { ...stopFacts(f), database };
}

export function databaseRef(d: DatabaseRecord): DatabaseRef {
  return { type: d.type, id: d.id, arn: d.arn };
}

/**
 * Why RDS refuses to stop and start this database whatever its state (RDS User Guide, "Stopping an
 * Amazon RDS DB instance temporarily" and "Stopping and starting an Aurora DB cluster"), or
 * undefined when it can. The plan skips these rather than send a call RDS answers with an error.
 */
export function rdsRefusal(d: DatabaseRecord): string | undefined {
  if (d.type === 'db-instance') {
    if (d.clusterId !== undefined) {
      return `member of Aurora cluster ${d.clusterId}: RDS stops and starts the cluster, not its instances (StopDBInstance does not apply to Aurora); tag the cluster instead`;
    }
    if (d.replicaOf !== undefined) {
      return `read replica of ${d.replicaOf}: RDS cannot stop or start a read replica`;
    }
    if ((d.replicaIds ?? []).length > 0) {
      return `has read replicas (${d.replicaIds!.join(', ')}): RDS cannot stop a DB instance that has read replicas`;
    }
    if (d.engine.startsWith('sqlserver') && d.multiAz) {
      return 'SQL Server in a Multi-AZ configuration: RDS cannot stop or start it';
    }
    return undefined;
  }
  if (d.engineMode === 'serverless') {
    return 'Aurora Serverless v1 cluster: RDS cannot stop or start it (it pauses by itself)';
  }
  if (d.replicaOf !== undefined) {
    return `read replica cluster of ${d.replicaOf}: RDS cannot stop or start it`;
  }
  return undefined;
}
