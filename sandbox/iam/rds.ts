/**
 * What AWS authorizes for an RDS request: the action on the database's ARN (every DB instance or
 * cluster of the region, `…:db:*`, for a Describe that names none), with the database's tags as
 * `aws:ResourceTag/…` and RDS's own `rds:db-tag/…` / `rds:cluster-tag/…`, and for tagging calls the
 * keys being written (`aws:TagKeys`, `aws:RequestTag/…`, `rds:req-tag/…`).
 */
import { indexedList, indexedStructs } from '../protocol/form';
import { databaseByArn } from '../services/rds/store';
import type { AuthorizationCheck, ContextValue, RequestFacts } from './requests';

export function rdsChecks(f: RequestFacts): AuthorizationCheck[] {
  const action = `rds:${f.action}`;
  const params = f.params!;
  const base = `arn:aws:rds:${f.region.name}:${f.accountId}`;
  const arn =
    params.get('ResourceName') ??
    (params.has('DBInstanceIdentifier') ? `${base}:db:${params.get('DBInstanceIdentifier')}` : undefined) ??
    (params.has('DBClusterIdentifier')
      ? `${base}:cluster:${params.get('DBClusterIdentifier')}`
      : undefined) ??
    (f.action === 'DescribeDBClusters' ? `${base}:cluster:*` : `${base}:db:*`);
  const context: Record<string, ContextValue> = {};
  const db = databaseByArn(f.region, arn);
  const tagPrefix = arn.includes(':cluster:') ? 'rds:cluster-tag' : 'rds:db-tag';
  for (const [key, value] of Object.entries(db?.tags ?? {})) {
    context[`aws:ResourceTag/${key}`] = value;
    context[`${tagPrefix}/${key}`] = value;
  }
  if (f.action === 'AddTagsToResource') {
    const tags = indexedStructs(params, 'Tags.Tag');
    if (tags.length > 0) context['aws:TagKeys'] = tags.map((t) => t.get('Key') ?? '');
    for (const t of tags) {
      context[`aws:RequestTag/${t.get('Key') ?? ''}`] = t.get('Value') ?? '';
      context[`rds:req-tag/${t.get('Key') ?? ''}`] = t.get('Value') ?? '';
    }
  }
  if (f.action === 'RemoveTagsFromResource') {
    const keys = indexedList(params, 'TagKeys.member');
    if (keys.length > 0) context['aws:TagKeys'] = keys;
  }
  return [{ action, resource: arn, context }];
}
