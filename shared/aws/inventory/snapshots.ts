/** The account's own snapshots: those marked for deletion, and which of a list of ids are ours. */
import { paginateDescribeSnapshots, type Filter } from '@aws-sdk/client-ec2';

import { errorText } from '../../errors';
import type { SnapshotLookup, SnapshotRecord } from '../../plan/cleanup';
import { TAG, tagsFromList } from '../../tags';
import type { AwsClients } from '../clients';
import { FILTER_VALUES_MAX } from './limits';

export async function readPendingSnapshots(
  clients: AwsClients,
  accountId: string,
): Promise<SnapshotRecord[]> {
  return readSnapshots(clients, accountId, [{ Name: 'tag-key', Values: [TAG.pendingDeletion] }]);
}

export interface OwnedSnapshotsLookedUp {
  /** The snapshots among those asked about that this account owns. */
  records: SnapshotRecord[];
  /** Per id asked about and reached: 'read' (found in records if ours) or 'failed' with why. */
  lookups: Map<string, SnapshotLookup>;
}

/**
 * Which of these snapshot ids this account owns, 200 ids a call (EC2's filter limit). By a
 * snapshot-id filter rather than SnapshotIds: a filter ignores ids that no longer exist, where
 * SnapshotIds fails the whole call. Owner self, so anything not returned is not ours (or gone).
 * A failed call is an answer of its own for each of its ids ('failed'), never "not ours"; ids not
 * reached because time ran out are left out, so they stay unknown.
 */
export async function lookUpOwnedSnapshots(
  clients: AwsClients,
  accountId: string,
  ids: readonly string[],
  options: { hasTime: () => boolean },
): Promise<OwnedSnapshotsLookedUp> {
  const records: SnapshotRecord[] = [];
  const lookups = new Map<string, SnapshotLookup>();
  const wanted = [...new Set(ids)];
  for (let i = 0; i < wanted.length; i += FILTER_VALUES_MAX) {
    if (!options.hasTime()) break;
    const batch = wanted.slice(i, i + FILTER_VALUES_MAX);
    try {
      records.push(...(await readSnapshots(clients, accountId, [{ Name: 'snapshot-id', Values: batch }])));
      for (const id of batch) lookups.set(id, { kind: 'read' });
    } catch (err) {
      const message = errorText(err);
      for (const id of batch) lookups.set(id, { kind: 'failed', message });
    }
  }
  return { records, lookups };
}

async function readSnapshots(
  clients: AwsClients,
  accountId: string,
  filters: Filter[],
): Promise<SnapshotRecord[]> {
  const out: SnapshotRecord[] = [];
  const pages = paginateDescribeSnapshots(
    { client: clients.ec2 },
    { OwnerIds: ['self'], Filters: filters, MaxResults: 1000 },
  );
  for await (const page of pages) {
    for (const s of page.Snapshots ?? []) {
      if (!s.SnapshotId) continue;
      const ownerId = s.OwnerId ?? '';
      const record: SnapshotRecord = {
        id: s.SnapshotId,
        ownerId,
        ownedBySelf: ownerId !== '' && ownerId === accountId,
        tags: tagsFromList(s.Tags),
      };
      if (s.State) record.state = s.State;
      if (typeof s.VolumeSize === 'number') record.volumeSizeGiB = s.VolumeSize;
      out.push(record);
    }
  }
  return out;
}
