/** RDS (AWS query, Version 2014-10-31): DB instances, Aurora DB clusters and their tags. */
import type { QueryServiceHandler } from '../types';
import { databaseActions } from './databases';
import { RDS_XMLNS } from './store';
import { rdsTagActions } from './tags';

export const rds: QueryServiceHandler = {
  service: 'rds',
  protocol: 'query',
  xmlns: RDS_XMLNS,
  actions: { ...databaseActions, ...rdsTagActions },
};

export {
  addDbCluster,
  addDbInstance,
  getDbCluster,
  getDbInstance,
  rdsStore,
  settleDatabases,
  simulateAutomaticStart,
  type DbClusterRecord,
  type DbClusterSeed,
  type DbInstanceRecord,
  type DbInstanceSeed,
} from './store';
