/**
 * DATABASE_RULES one by one: RDS DB instances and Aurora clusters follow the schedules and the trust
 * model of instances (a database is started only on its own record of the stop), the cases RDS
 * refuses are skipped with RDS's reason, and a database RDS started again after 7 days is stopped
 * again only when the record proves scale-to-zero stopped it in this very off period.
 */
import { describe, expect, it } from '@jest/globals';

import {
  DATABASE_RULES,
  planScale,
  transitionValue,
  type DatabaseRecord,
  type ScaleDecision,
} from '../../../../shared/plan/scale';
import { parseHolidays, parseSchedule } from '../../../../shared/schedule';

// Monday 23 Nov 2026: off at 18:30 Berlin (17:30Z), on again Tuesday 08:00 Berlin (07:00Z).
const OFF = '2026-11-23T17:30:00Z';
const STOPPED_AT = '2026-11-23T17:31:00Z';
const settings = (holidays: string[] = []) => ({
  defaultSchedule: parseSchedule('Mon-Fri 08:00-18:30 Europe/Berlin'),
  namedSchedules: new Map(),
  holidays: parseHolidays(holidays),
});

const db = (over: Partial<DatabaseRecord> = {}, tags: Record<string, string> = {}): DatabaseRecord => ({
  type: 'db-instance',
  id: 'orders-dev',
  arn: 'arn:aws:rds:eu-west-1:123456789012:db:orders-dev',
  status: 'available',
  engine: 'postgres',
  tags: { ScaleToZero: 'true', ...tags },
  ...over,
});

const ours = (at = OFF, stoppedAt = STOPPED_AT) => ({
  ScaleToZeroLastTransition: `${at} stopped=${stoppedAt}`,
  ScaleToZeroStoppedAt: stoppedAt,
});

const seen = new Set<string>();
function decideAll(now: string, databases: DatabaseRecord[], holidays: string[] = []): ScaleDecision[] {
  const plan = planScale({
    groups: [],
    instances: [],
    databases,
    settings: settings(holidays),
    now: new Date(now),
  });
  for (const d of plan.decisions) seen.add(d.rule);
  return plan.decisions;
}
const decide = (now: string, d: DatabaseRecord, holidays: string[] = []) => decideAll(now, [d], holidays)[0]!;

describe('DATABASE_RULES', () => {
  it('stops an available database at the off edge, and the record it writes names the stop', () => {
    const d = decide('2026-11-23T17:45:00Z', db());
    expect(d).toMatchObject({ rule: 'stop', outcome: 'stop', resourceType: 'db-instance' });
    expect(d.reason).toContain('stop the DB instance until 2026-11-24T07:00:00Z');
    expect(d.action).toEqual({
      kind: 'stop-database',
      database: {
        type: 'db-instance',
        id: 'orders-dev',
        arn: 'arn:aws:rds:eu-west-1:123456789012:db:orders-dev',
      },
      transition: new Date(OFF),
    });
    expect(transitionValue(d.action!, new Date(STOPPED_AT))).toBe(`${OFF} stopped=${STOPPED_AT}`);
  });

  it('stops an Aurora cluster as one unit and keeps its member instances out of it', () => {
    const cluster = db({
      type: 'db-cluster',
      id: 'reports',
      arn: 'arn:aws:rds:eu-west-1:123456789012:cluster:reports',
      engine: 'aurora-postgresql',
      engineMode: 'provisioned',
    });
    const member = db({ id: 'reports-1', engine: 'aurora-postgresql', clusterId: 'reports' });
    const [c, m] = decideAll('2026-11-23T17:45:00Z', [cluster, member]);
    expect(c).toMatchObject({ rule: 'stop', resourceType: 'db-cluster' });
    expect(c!.reason).toContain('stop the DB cluster');
    expect(m).toMatchObject({ rule: 'managed-by-cluster', outcome: 'keep' });
  });

  it('skips, with RDS reason, an Aurora member of an untagged cluster, read replicas, their source, Multi-AZ SQL Server and Serverless v1', () => {
    const cases: [DatabaseRecord, string][] = [
      [
        db({ clusterId: 'analytics', engine: 'aurora-mysql' }),
        'member of Aurora cluster analytics: RDS stops and starts the cluster',
      ],
      [
        db({ replicaOf: 'orders-prod' }),
        'read replica of orders-prod: RDS cannot stop or start a read replica',
      ],
      [db({ replicaIds: ['orders-ro'] }), 'has read replicas (orders-ro)'],
      [db({ engine: 'sqlserver-se', multiAz: true }), 'SQL Server in a Multi-AZ configuration'],
      [db({ type: 'db-cluster', engineMode: 'serverless', engine: 'aurora-mysql' }), 'Aurora Serverless v1'],
      [
        db({ type: 'db-cluster', replicaOf: 'arn:aws:rds:us-east-1:123456789012:cluster:main' }),
        'read replica cluster',
      ],
    ];
    for (const [record, why] of cases) {
      const d = decide('2026-11-23T17:45:00Z', record);
      expect([d.rule, d.outcome, d.action]).toEqual(['refused-by-rds', 'skip', undefined]);
      expect(d.reason).toContain(why);
    }
    // A single-AZ SQL Server and a Multi-AZ PostgreSQL instance can be stopped.
    expect(decide('2026-11-23T17:45:00Z', db({ engine: 'sqlserver-ex' })).rule).toBe('stop');
    expect(decide('2026-11-23T17:45:00Z', db({ multiAz: true })).rule).toBe('stop');
  });

  it('starts in the morning only what its own record and marker say it stopped in the off period that just ended', () => {
    const d = decide('2026-11-24T07:10:00Z', db({ status: 'stopped' }, ours()));
    expect(d).toMatchObject({ rule: 'start', outcome: 'start' });
    expect(d.action).toMatchObject({ kind: 'start-database', transition: new Date('2026-11-24T07:00:00Z') });
  });

  it('never starts a stopped database on forged or stale tags', () => {
    const forged: Record<string, string>[] = [
      { ScaleToZeroStoppedAt: STOPPED_AT },
      {
        ScaleToZeroLastTransition: `${OFF} stopped=${STOPPED_AT}`,
        ScaleToZeroStoppedAt: '2026-11-23T17:32:00Z',
      },
      { ScaleToZeroLastTransition: OFF, ScaleToZeroStoppedAt: STOPPED_AT },
      // The record of an earlier off period (Friday), consistent with its marker.
      ours('2026-11-20T17:30:00Z', '2026-11-20T17:31:00Z'),
    ];
    for (const tags of forged) {
      const d = decide('2026-11-24T07:10:00Z', db({ status: 'stopped' }, tags));
      expect([d.rule, d.outcome, d.action]).toEqual(['stop-unproven', 'skip', undefined]);
      expect(d.tagProblem?.tag).toBe('ScaleToZeroStoppedAt');
    }
    // A record alone (the marker gone) is reported, never acted on.
    const lost = decide(
      '2026-11-24T07:10:00Z',
      db({ status: 'stopped' }, { ScaleToZeroLastTransition: `${OFF} stopped=${STOPPED_AT}` }),
    );
    expect([lost.rule, lost.reason]).toEqual([
      'stop-unproven',
      expect.stringContaining('the stopped-at marker is gone'),
    ]);
  });

  describe('after RDS started it again (7 days)', () => {
    // Off from Friday 27 Nov 18:30 Berlin to Monday 7 Dec: the week between is holidays.
    const HOLIDAYS = ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];
    const FRI_OFF = '2026-11-27T17:30:00Z';
    const FRI_STOP = '2026-11-27T17:31:00Z';

    it('stops again a database its record says it stopped in this off period, 7 days after that stop', () => {
      const d = decide('2026-12-04T17:45:00Z', db({}, ours(FRI_OFF, FRI_STOP)), HOLIDAYS);
      expect(d).toMatchObject({ rule: 'restarted-by-rds', outcome: 'stop' });
      expect(d.reason).toContain('RDS started it again after 7 days: stop again until 2026-12-07T07:00:00Z');
      expect(d.action).toMatchObject({ kind: 'stop-database', transition: new Date(FRI_OFF) });
      // The new record keeps the off period and names the new stop, so the morning starts it.
      expect(transitionValue(d.action!, new Date('2026-12-04T17:46:00Z'))).toBe(
        `${FRI_OFF} stopped=2026-12-04T17:46:00Z`,
      );
    });

    it('leaves a database a person started before 7 days had passed, and drops its record so day 7 does not stop it', () => {
      const d = decide('2026-12-01T09:00:00Z', db({}, ours(FRI_OFF, FRI_STOP)), HOLIDAYS);
      expect(d).toMatchObject({ rule: 'started-while-off', outcome: 'record' });
      expect(d.action).toMatchObject({ kind: 'record-database', dropMarker: true });
      expect(transitionValue(d.action!, new Date())).toBe(FRI_OFF);
      // What that leaves on it: on day 8 it is left running.
      const later = decide('2026-12-05T10:00:00Z', db({}, { ScaleToZeroLastTransition: FRI_OFF }), HOLIDAYS);
      expect([later.rule, later.action]).toEqual(['already-acted', undefined]);
      // Still within the hour of slack before 7 days, it counts as RDS's own start.
      expect(decide('2026-12-04T16:40:00Z', db({}, ours(FRI_OFF, FRI_STOP)), HOLIDAYS).rule).toBe(
        'restarted-by-rds',
      );
    });

    it('does not stop a running database again without its own consistent record of the stop', () => {
      const cases: Record<string, string>[] = [
        { ScaleToZeroLastTransition: FRI_OFF },
        { ScaleToZeroLastTransition: FRI_OFF, ScaleToZeroStoppedAt: FRI_STOP },
        {
          ScaleToZeroLastTransition: `${FRI_OFF} stopped=${FRI_STOP}`,
          ScaleToZeroStoppedAt: '2026-11-27T17:40:00Z',
        },
        { ScaleToZeroLastTransition: `${FRI_OFF} stopped=${FRI_STOP}` },
      ];
      for (const tags of cases) {
        const d = decide('2026-12-05T10:00:00Z', db({}, tags), HOLIDAYS);
        expect(d.outcome).not.toBe('stop');
        expect(d.action?.kind).not.toBe('stop-database');
      }
    });

    it('honours an active ScaleToZeroSkipUntil', () => {
      const d = decide(
        '2026-12-05T10:00:00Z',
        db({}, { ...ours(FRI_OFF, FRI_STOP), ScaleToZeroSkipUntil: '2026-12-05T20:00:00Z' }),
        HOLIDAYS,
      );
      expect(d).toMatchObject({ rule: 'started-while-off', outcome: 'record' });
    });
  });

  it('waits while RDS is stopping or starting it, and skips other states RDS refuses with its error named', () => {
    expect(decide('2026-11-23T17:45:00Z', db({ status: 'stopping' }))).toMatchObject({
      rule: 'status-refused',
      outcome: 'wait',
    });
    const busy = decide('2026-11-23T17:45:00Z', db({ status: 'backing-up' }));
    expect(busy).toMatchObject({ rule: 'status-refused', outcome: 'skip' });
    expect(busy.reason).toContain('InvalidDBInstanceState');
    const cluster = decide('2026-11-23T17:45:00Z', db({ type: 'db-cluster', status: 'modifying' }));
    expect(cluster.reason).toContain('InvalidDBClusterStateFault');
  });

  it('records the transition for what it did not stop, and carries its own stop into the next off period', () => {
    expect(decide('2026-11-23T17:45:00Z', db({ status: 'stopped' }))).toMatchObject({
      rule: 'already-off',
      outcome: 'record',
    });
    expect(decide('2026-11-24T07:10:00Z', db())).toMatchObject({
      rule: 'not-stopped-by-us',
      outcome: 'record',
    });
    const on = decide('2026-11-24T07:10:00Z', db({}, ours()));
    expect(on).toMatchObject({ rule: 'already-on', action: { kind: 'record-database', dropMarker: true } });
    // Its start failed all Tuesday: Tuesday evening's off edge carries Monday's stop.
    const carried = decide('2026-11-24T17:45:00Z', db({ status: 'stopped' }, ours()));
    expect(carried).toMatchObject({ rule: 'still-stopped', action: { kind: 'record-database' } });
    expect(transitionValue(carried.action!, new Date())).toBe(`2026-11-24T17:30:00Z stopped=${STOPPED_AT}`);
  });

  it('applies the tag rules shared with groups and instances', () => {
    const at = '2026-11-23T17:45:00Z';
    expect(decide(at, db({ tags: {} })).rule).toBe('not-opted-in');
    expect(decide(at, db({}, { ScaleToZero: 'false' })).rule).toBe('opted-out');
    expect(decide(at, db({}, { ScaleToZero: 'Mon-Fri 8-18' })).rule).toBe('schedule-unreadable');
    expect(decide(at, db({}, { ScaleToZeroLastTransition: 'yesterday' })).rule).toBe('transition-unreadable');
    expect(decide(at, db({}, { ScaleToZeroLastTransition: '2026-11-25T00:00:00Z' })).rule).toBe(
      'transition-in-future',
    );
    expect(decide(at, db({}, { ScaleToZero: 'daily 00:00-24:00 UTC' })).rule).toBe('no-transition');
    expect(decide(at, db({}, { ScaleToZeroStoppedAt: 'soon' })).rule).toBe('marker-unreadable');
    expect(decide(at, db({}, { ScaleToZeroSkipUntil: '2026-11-23T22:00:00Z' })).rule).toBe('skip-until');
    expect(decide(at, db({}, { ScaleToZeroLastTransition: OFF })).rule).toBe('already-acted');
  });

  it('every rule of the list decides some database above', () => {
    expect(DATABASE_RULES.map((r) => r.name).filter((n) => !seen.has(n))).toEqual([]);
  });
});
