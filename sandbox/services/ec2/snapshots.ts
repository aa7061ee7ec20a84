/** EBS snapshots: DescribeSnapshots, DeleteSnapshot (refused while a registered image uses it). */
import { SandboxError } from '../../protocol/errors';
import { indexedList, optionalInt, requiredParam } from '../../protocol/form';
import { checkRange, type Page } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import type { SnapshotRecord } from '../../state/records';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList, ownerMatcher, refuseMaxResultsWithIds, requireAll, tagSet } from './common';

const SNAPSHOT_FIELDS: FieldReaders<SnapshotRecord> = {
  'snapshot-id': (s) => s.id,
  'owner-id': (s) => s.ownerId,
  status: (s) => s.state,
  'volume-id': (s) => s.volumeId,
  description: (s) => s.description,
  'start-time': (s) => s.startTime,
};

function renderSnapshot(snapshot: SnapshotRecord): XmlObject {
  return {
    snapshotId: snapshot.id,
    volumeId: snapshot.volumeId,
    status: snapshot.state,
    startTime: snapshot.startTime,
    progress: snapshot.state === 'completed' ? '100%' : '0%',
    ownerId: snapshot.ownerId,
    volumeSize: snapshot.volumeSize,
    description: snapshot.description,
    encrypted: false,
    storageTier: 'standard',
    tagSet: tagSet(snapshot.tags),
  };
}

const describeSnapshots: QueryAction = (params, { region, state }) => {
  const snapshotIds = idList(params, 'SnapshotId');
  const maxResults = optionalInt(params, 'MaxResults');
  refuseMaxResultsWithIds(snapshotIds, maxResults, 'snapshotIdSet');
  checkRange('maxResults', maxResults, 5, 1000);
  const owner = ownerMatcher(indexedList(params, 'Owner'), state.accountId);
  const filter = compileFilters(ec2Filters(params), SNAPSHOT_FIELDS, (s) => s.tags);
  const keep = (s: SnapshotRecord) => (!owner || owner(s.ownerId)) && filter(s);
  const page: Page<SnapshotRecord> =
    snapshotIds.length > 0
      ? { items: requireAll(snapshotIds, (id) => region.getSnapshot(id)).filter(keep) }
      : region.snapshotTable.page(params.get('NextToken'), maxResults, keep);
  return { snapshotSet: items(page.items.map(renderSnapshot)), nextToken: page.nextToken };
};

const deleteSnapshot: QueryAction = (params, { region }) => {
  const [snapshot] = requireAll([requiredParam(params, 'SnapshotId')], (id) => region.getSnapshot(id));
  if (snapshot!.ownerId !== region.accountId) {
    throw new SandboxError(
      'UnauthorizedOperation',
      `You are not authorized to delete ${snapshot!.id}: it is owned by account ${snapshot!.ownerId}`,
      403,
    );
  }
  const users = region.imagesUsingSnapshot(snapshot!.id);
  if (users.length > 0) {
    throw new SandboxError(
      'InvalidSnapshot.InUse',
      `The snapshot ${snapshot!.id} is currently in use by ${users[0]}`,
    );
  }
  region.removeSnapshot(snapshot!.id);
  return { return: true };
};

export const snapshotActions = { DescribeSnapshots: describeSnapshots, DeleteSnapshot: deleteSnapshot };
