/**
 * The rules for a database (an RDS DB instance or an Aurora DB cluster), in order. They follow the
 * instance rules: a database is started only when ScaleToZeroLastTransition says scale-to-zero
 * stopped it for the off period that just ended and the ScaleToZeroStoppedAt marker agrees. One
 * rule acts on the state rather than on a transition: RDS starts a database stopped for 7 days by
 * itself, so one that scale-to-zero stopped in this very off period, found running 7 days after
 * that stop, is stopped again (`restarted-by-rds`).
 */
import { formatTimestamp } from '../../tags';
import { alreadyActed, SCHEDULE_RULES, skipUntil, tagRules } from './common-rules';
import {
  databaseHoursOff,
  databaseRef,
  rdsRefusal,
  RDS_AUTO_START_MS,
  type DatabaseFacts,
  type DatabaseTagFacts,
} from './database-facts';
import { rule, type RuleStages } from './rule';
import { markerUnreadable, stoppableRules } from './stoppable-rules';
import type { ScaleAction, TransitionDeed, Verdict } from './types';

const kindOf = (f: { database: { type: string } }) =>
  f.database.type === 'db-cluster' ? 'DB cluster' : 'DB instance';

function recordDatabase(
  f: DatabaseFacts,
  reason: string,
  options: { dropMarker?: boolean; carried?: TransitionDeed } = {},
): Verdict {
  const action: ScaleAction = {
    kind: 'record-database',
    database: databaseRef(f.database),
    transition: f.transition,
    dropMarker: options.dropMarker ?? false,
  };
  if (options.carried) action.carried = options.carried;
  return { outcome: 'record', reason, action };
}

const managedByCluster = rule<DatabaseTagFacts>(
  'managed-by-cluster',
  'a member instance of an Aurora cluster tagged ScaleToZero: kept, the cluster is stopped instead',
  (f) => {
    const cluster = f.database.clusterId;
    return cluster !== undefined && f.managedClusters.has(cluster)
      ? { outcome: 'keep', reason: `stopped and started through its Aurora cluster ${cluster}` }
      : undefined;
  },
);

const refusedByRds = rule<DatabaseTagFacts>(
  'refused-by-rds',
  'a read replica, a source of read replicas, Multi-AZ SQL Server, an Aurora member, Aurora Serverless v1: skipped with the reason',
  (f) => {
    const why = rdsRefusal(f.database);
    return why ? { outcome: 'skip', reason: `${why}; not managed` } : undefined;
  },
);

// AWS's automatic start after 7 days (RDS-EVENT-0154/0153) is the one case where a running database
// is stopped again without a new transition: the record proves scale-to-zero stopped it in this off
// period, and a person who starts it earlier than 7 days after the stop is left alone.
const restartedByRds = rule<DatabaseFacts>(
  'restarted-by-rds',
  'off, stopped by scale-to-zero in this off period at least 7 days ago and running again (RDS starts it after 7 days): stopped again',
  (f) => {
    const stop = f.stoppedByUs;
    const running = f.database.status === 'available';
    // An active ScaleToZeroSkipUntil keeps it on here too.
    if (f.state.on || !f.acted || !stop || !f.markerMatches || !running || f.keepOnUntil) {
      return undefined;
    }
    if (f.now.getTime() - stop.stoppedAt.getTime() < RDS_AUTO_START_MS) return undefined;
    return {
      outcome: 'stop',
      reason: `off since ${f.at} (schedule ${f.label}); scale-to-zero stopped it at ${formatTimestamp(stop.stoppedAt)} and RDS started it again after 7 days: stop again${f.state.until ? ` until ${formatTimestamp(f.state.until)}` : ''}`,
      action: { kind: 'stop-database', database: databaseRef(f.database), transition: f.transition },
      databaseHoursOff: databaseHoursOff(f),
    };
  },
);

// Running before RDS would have started it: a person (or their automation) wants it now. The record
// of our stop is dropped, so the 7-day rule above never stops it later in this off period.
const startedWhileOff = rule<DatabaseFacts>(
  'started-while-off',
  'off, stopped by scale-to-zero in this off period but started again before RDS would have: left running, the record of the stop dropped',
  (f) => {
    const stop = f.stoppedByUs;
    if (f.state.on || !f.acted || !stop || f.database.status !== 'available') return undefined;
    return recordDatabase(
      f,
      `off since ${f.at} (schedule ${f.label}); scale-to-zero stopped it at ${formatTimestamp(stop.stoppedAt)}, but it was started again before RDS's 7-day automatic start: left running`,
      { dropMarker: true },
    );
  },
);

const statusRefused = rule<DatabaseFacts>(
  'status-refused',
  'neither available nor stopped (stopping, starting, backing-up, modifying, …): RDS would refuse, so it waits for the next run',
  (f) => {
    const { status } = f.database;
    if (status === 'available' || status === 'stopped') return undefined;
    const code = f.database.type === 'db-cluster' ? 'InvalidDBClusterStateFault' : 'InvalidDBInstanceState';
    return {
      outcome: status === 'stopping' || status === 'starting' ? 'wait' : 'skip',
      reason: `${status}: RDS stops only an available ${kindOf(f)} and starts only a stopped one (${code}); acting on the next run once it is available or stopped`,
    };
  },
);

const { stopUnproven, stillStopped, alreadyOff, stop, notStoppedByUs, start, alreadyOn } =
  stoppableRules<DatabaseFacts>({
    noun: 'database',
    state: (f) => f.database.status,
    running: 'available',
    object: (f) => ` the ${kindOf(f)}`,
    stopAction: (f) => ({
      kind: 'stop-database',
      database: databaseRef(f.database),
      transition: f.transition,
    }),
    startAction: (f) => ({
      kind: 'start-database',
      database: databaseRef(f.database),
      transition: f.transition,
    }),
    stopExtras: (f) => ({ note: '', saved: { databaseHoursOff: databaseHoursOff(f) } }),
    record: recordDatabase,
    unprovenAdvice: '',
    summaries: {
      alreadyOff: 'off and already stopped, not by scale-to-zero: the transition is recorded',
      alreadyOn: 'on and available: the transition is recorded and a leftover marker dropped',
    },
  });

/** A database's rules in three stages: its tags, then its schedule, then the transition. */
export const DATABASE_STAGES: RuleStages<DatabaseTagFacts, DatabaseFacts> = {
  tags: tagRules([managedByCluster, refusedByRds]),
  schedule: SCHEDULE_RULES,
  transition: [
    restartedByRds,
    startedWhileOff,
    alreadyActed,
    markerUnreadable,
    statusRefused,
    skipUntil,
    stopUnproven,
    stillStopped,
    alreadyOff,
    stop,
    notStoppedByUs,
    start,
    alreadyOn,
  ],
};
