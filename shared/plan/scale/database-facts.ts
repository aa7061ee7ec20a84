/**
 * What the database rules look at, beside the facts every resource has: the database itself, the
 * stopped-at marker and the record of a stop (as for instances), and why RDS would refuse to stop it.
 */
import { readTimestampTag, TAG, type TagReading } from '../../tags';
import type { TagFacts, TransitionFacts } from './facts';
import type { DatabaseRecord, DatabaseRef, TransitionDeed } from './types';

/**
 * RDS starts a database that has been stopped for 7 days by itself (AWS's own rule). A database of
 * ours found running earlier than this after our stop was started by someone; an hour of slack
 * allows for RDS's own timing (misjudging the other way would fight a person every 15 minutes).
 */
export const RDS_AUTO_START_MS = 7 * 24 * 3_600_000 - 3_600_000;

export interface DatabaseTagFacts extends TagFacts {
  database: DatabaseRecord;
  /** Aurora clusters carrying ScaleToZero: their member instances are stopped through the cluster. */
  managedClusters: ReadonlySet<string>;
}

export interface DatabaseFacts extends TransitionFacts {
  database: DatabaseRecord;
  /** ScaleToZeroStoppedAt as written, and as read. */
  markerText?: string;
  stoppedAt: TagReading<Date>;
  /** The record says scale-to-zero stopped the database at that transition. */
  stoppedByUs?: Extract<TransitionDeed, { kind: 'stopped' }>;
  /** The stopped-at marker and the record of the stop name the same time. */
  markerMatches: boolean;
}

export function databaseFacts(f: TransitionFacts, database: DatabaseRecord): DatabaseFacts {
  const stoppedAt = readTimestampTag(f.tags, TAG.scaleToZeroStoppedAt, f.resourceId);
  const stoppedByUs = f.last?.deed.kind === 'stopped' ? f.last.deed : undefined;
  const out: DatabaseFacts = {
    ...f,
    database,
    stoppedAt,
    markerMatches:
      stoppedByUs !== undefined &&
      stoppedAt.kind === 'ok' &&
      stoppedAt.value.getTime() === stoppedByUs.stoppedAt.getTime(),
  };
  const markerText = f.tags[TAG.scaleToZeroStoppedAt];
  if (markerText !== undefined) out.markerText = markerText;
  if (stoppedByUs) out.stoppedByUs = stoppedByUs;
  return out;
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
