/**
 * The sandbox's RDS over the wire, with the real @aws-sdk/client-rds: Describe with TagList and
 * Marker pagination, Stop/Start with RDS's state rules and error codes, the cases RDS refuses,
 * tagging by ARN, the transitional states settling at the next describe, AWS's 7-day automatic start
 * (simulated), and IAM: the scale-to-zero role may stop only databases tagged ScaleToZero.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ListTagsForResourceCommand,
  paginateDescribeDBInstances,
  RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';

import {
  addDbCluster,
  addDbInstance,
  getDbInstance,
  rdsStore,
  settleDatabases,
  simulateAutomaticStart,
} from '../../../sandbox/services/rds';
import { startSandbox, type Sandbox } from '../../../sandbox/server';

const REGION = 'eu-west-1';
let sandbox: Sandbox;
let admin: RDSClient;
let role: RDSClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  const config = { endpoint: sandbox.url, region: REGION, maxAttempts: 1 };
  admin = new RDSClient({ ...config, credentials: sandbox.credentials('admin') });
  role = new RDSClient({ ...config, credentials: sandbox.credentials('scale-to-zero') });
});
afterAll(async () => {
  admin.destroy();
  role.destroy();
  await sandbox.close();
});

const region = () => sandbox.state.region(REGION);
const status = async (id: string) =>
  (await admin.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]
    ?.DBInstanceStatus;
const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { name?: string }) => e.name,
  );

describe('the sandbox RDS', () => {
  it('describes instances with their tags, 20..100 a page, and resumes at the Marker', async () => {
    for (let i = 0; i < 45; i++) addDbInstance(region(), { id: `page-${i}`, tags: { Team: `t${i}` } });
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeDBInstances({ client: admin, pageSize: 20 }, {})) {
      pages++;
      for (const d of page.DBInstances ?? [])
        if (d.DBInstanceIdentifier?.startsWith('page-')) ids.push(d.DBInstanceIdentifier);
    }
    expect(ids).toHaveLength(45);
    expect(pages).toBe(3);
    const one = await admin.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'page-7' }));
    expect(one.DBInstances?.[0]?.TagList).toEqual([{ Key: 'Team', Value: 't7' }]);
    expect(one.DBInstances?.[0]?.DBInstanceArn).toBe('arn:aws:rds:eu-west-1:123456789012:db:page-7');
    expect(await codeOf(admin.send(new DescribeDBInstancesCommand({ MaxRecords: 5 })))).toBe(
      'InvalidParameterValue',
    );
    expect(await codeOf(admin.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })))).toBe(
      'DBInstanceNotFoundFault',
    );
  });

  it('stops only an available instance and starts only a stopped one; the new state settles at the next describe', async () => {
    addDbInstance(region(), { id: 'orders' });
    const stopped = await admin.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'orders' }));
    expect(stopped.DBInstance?.DBInstanceStatus).toBe('stopping');
    expect(await codeOf(admin.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'orders' })))).toBe(
      'InvalidDBInstanceStateFault',
    );
    expect(await status('orders')).toBe('stopped');
    expect(await codeOf(admin.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'orders' })))).toBe(
      'InvalidDBInstanceStateFault',
    );
    expect(
      (await admin.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'orders' }))).DBInstance
        ?.DBInstanceStatus,
    ).toBe('starting');
    expect(await status('orders')).toBe('available');
  });

  it('holds a transitional state when asked, until settled', async () => {
    addDbInstance(region(), { id: 'held' });
    rdsStore(region()).holdTransitions = true;
    try {
      await admin.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'held' }));
      expect(await status('held')).toBe('stopping');
      settleDatabases(region());
      expect(await status('held')).toBe('stopped');
    } finally {
      rdsStore(region()).holdTransitions = false;
    }
  });

  it('refuses what RDS refuses: replicas, their source, Multi-AZ SQL Server, Aurora members, serverless v1', async () => {
    addDbInstance(region(), { id: 'primary' });
    addDbInstance(region(), { id: 'replica', replicaOf: 'primary' });
    addDbInstance(region(), { id: 'mssql', engine: 'sqlserver-se', multiAz: true });
    addDbCluster(region(), { id: 'aurora', members: ['aurora-a', 'aurora-b'] });
    addDbCluster(region(), { id: 'sls', engineMode: 'serverless', members: [] });
    for (const id of ['primary', 'replica', 'mssql', 'aurora-a']) {
      expect([id, await codeOf(admin.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id })))]).toEqual(
        [id, 'InvalidParameterCombination'],
      );
    }
    expect(await codeOf(admin.send(new StopDBClusterCommand({ DBClusterIdentifier: 'sls' })))).toBe(
      'InvalidParameterCombination',
    );
    expect(await codeOf(admin.send(new StopDBClusterCommand({ DBClusterIdentifier: 'missing' })))).toBe(
      'DBClusterNotFoundFault',
    );
  });

  it('stops and starts an Aurora cluster with its members, and refuses a start of a running one', async () => {
    addDbCluster(region(), { id: 'reports', members: ['reports-1'] });
    const r = await admin.send(new StopDBClusterCommand({ DBClusterIdentifier: 'reports' }));
    expect(r.DBCluster?.Status).toBe('stopping');
    const described = await admin.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'reports' }));
    expect(described.DBClusters?.[0]?.Status).toBe('stopped');
    expect(described.DBClusters?.[0]?.DBClusterMembers?.[0]?.DBInstanceIdentifier).toBe('reports-1');
    expect(getDbInstance(region(), 'reports-1')?.status).toBe('stopped');
    simulateAutomaticStart(region(), 'reports');
    expect(await codeOf(admin.send(new StartDBClusterCommand({ DBClusterIdentifier: 'reports' })))).toBe(
      'InvalidDBClusterStateFault',
    );
  });

  it('tags by ARN and lists the tags back', async () => {
    const db = addDbInstance(region(), { id: 'tagged', tags: { ScaleToZero: 'true' } });
    await admin.send(
      new AddTagsToResourceCommand({
        ResourceName: db.arn,
        Tags: [{ Key: 'ScaleToZeroStoppedAt', Value: 'x' }],
      }),
    );
    await admin.send(new RemoveTagsFromResourceCommand({ ResourceName: db.arn, TagKeys: ['ScaleToZero'] }));
    const listed = await admin.send(new ListTagsForResourceCommand({ ResourceName: db.arn }));
    expect(listed.TagList).toEqual([{ Key: 'ScaleToZeroStoppedAt', Value: 'x' }]);
    expect(
      await codeOf(
        admin.send(
          new AddTagsToResourceCommand({ ResourceName: db.arn, Tags: [{ Key: 'aws:x', Value: 'y' }] }),
        ),
      ),
    ).toBe('InvalidParameterValue');
  });

  it('the scale-to-zero role stops a database tagged ScaleToZero, not an untagged one, and writes only its own keys', async () => {
    const opted = addDbInstance(region(), { id: 'opted', tags: { ScaleToZero: 'true' } });
    const other = addDbInstance(region(), { id: 'other' });
    expect(await codeOf(role.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'opted' })))).toBe('ok');
    expect(await codeOf(role.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'other' })))).toBe(
      'AccessDenied',
    );
    expect(
      await codeOf(
        role.send(
          new AddTagsToResourceCommand({
            ResourceName: opted.arn,
            Tags: [{ Key: 'ScaleToZeroLastTransition', Value: '2026-11-23T17:30:00Z' }],
          }),
        ),
      ),
    ).toBe('ok');
    expect(
      await codeOf(
        role.send(
          new AddTagsToResourceCommand({ ResourceName: opted.arn, Tags: [{ Key: 'Owner', Value: 'me' }] }),
        ),
      ),
    ).toBe('AccessDenied');
    expect(
      await codeOf(
        role.send(
          new AddTagsToResourceCommand({
            ResourceName: other.arn,
            Tags: [{ Key: 'ScaleToZeroStoppedAt', Value: 'x' }],
          }),
        ),
      ),
    ).toBe('AccessDenied');
    expect(await codeOf(role.send(new DescribeDBInstancesCommand({})))).toBe('ok');
    expect(await codeOf(role.send(new DescribeDBClustersCommand({})))).toBe('ok');
  });
});
