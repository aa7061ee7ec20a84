/** The account's own AMIs and the in-use AMIs of other accounts, as Image records. */
import { paginateDescribeImages, type Image as SdkImage } from '@aws-sdk/client-ec2';

import type { Image, Problem } from '../../domain';
import { errorText } from '../../errors';
import { tagsFromList } from '../../tags';
import type { AwsClients } from '../clients';
import { internPool } from './intern';
import { FILTER_VALUES_MAX } from './limits';

export async function readOwnedImages(
  clients: AwsClients,
  region: string,
  accountId: string,
): Promise<Image[]> {
  const images: Image[] = [];
  const intern = internPool();
  const pages = paginateDescribeImages(
    { client: clients.ec2 },
    // IncludeDisabled: a disabled AMI is still registered and still holds its snapshots. Left out (the
    // default), its snapshots would look unused and its pending-deletion marks orphaned.
    { Owners: ['self'], MaxResults: 1000, IncludeDeprecated: true, IncludeDisabled: true },
  );
  for await (const page of pages) {
    for (const i of page.Images ?? []) images.push(toImage(i, region, accountId, intern));
  }
  return images;
}

function toImage(i: SdkImage, region: string, accountId: string, intern: (v: string) => string): Image {
  const ownerId = i.OwnerId === accountId ? accountId : intern(i.OwnerId ?? '');
  const id = i.ImageId ?? '';
  const ownedBySelf = ownerId !== '' && ownerId === accountId;
  const state = intern(i.State ?? 'unknown');
  const tags = tagsFromList(i.Tags);
  const snapshotIds = (i.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
  // EC2 answers "disabled", "enabled-with-cooldown", "enabled-without-cooldown"; anything but an
  // explicit "disabled" is treated as protected, so an unknown value never unlocks a deletion.
  const deregistrationProtected =
    i.DeregistrationProtection !== undefined && i.DeregistrationProtection !== 'disabled';
  // EC2 always says; an answer without it is taken as public, so a missing field never unlocks a deletion.
  const isPublic = i.Public !== false;
  const created = i.CreationDate ? new Date(i.CreationDate) : undefined;
  const createdAt = created !== undefined && !Number.isNaN(created.getTime()) ? created : undefined;
  // Kept even when unreadable (an Invalid Date): the plan keeps such an AMI and reports the value.
  const lastLaunchedAt = i.LastLaunchedTime ? new Date(i.LastLaunchedTime) : undefined;
  const deprecatedAt = i.DeprecationTime ? new Date(i.DeprecationTime) : undefined;
  if (
    i.Name !== undefined &&
    createdAt !== undefined &&
    lastLaunchedAt === undefined &&
    deprecatedAt === undefined
  ) {
    // The usual AMI, in one literal (same field order as below): fields added after a literal go to
    // a separate property array, which costs memory on every AMI of a large account.
    return {
      id,
      region,
      ownerId,
      ownedBySelf,
      state,
      tags,
      snapshotIds,
      deregistrationProtected,
      public: isPublic,
      name: i.Name,
      createdAt,
    };
  }
  const image: Image = {
    id,
    region,
    ownerId,
    ownedBySelf,
    state,
    tags,
    snapshotIds,
    deregistrationProtected,
    public: isPublic,
  };
  if (i.Name !== undefined) image.name = i.Name;
  if (createdAt !== undefined) image.createdAt = createdAt;
  if (lastLaunchedAt !== undefined) image.lastLaunchedAt = lastLaunchedAt;
  if (deprecatedAt !== undefined) image.deprecatedAt = deprecatedAt;
  return image;
}

/**
 * In-use AMIs of other accounts, described to learn their owner (for the report only). By an
 * image-id filter rather than ImageIds: ImageIds fails the whole call when one AMI is gone, the
 * filter just leaves it out, and a missing one is reported.
 */
export async function readImagesById(
  clients: AwsClients,
  region: string,
  accountId: string,
  ids: string[],
  problems: Problem[],
): Promise<Image[]> {
  const out: Image[] = [];
  for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX) {
    const batch = ids.slice(i, i + FILTER_VALUES_MAX);
    try {
      const found: Image[] = [];
      const intern = internPool();
      const pages = paginateDescribeImages(
        { client: clients.ec2 },
        { Filters: [{ Name: 'image-id', Values: batch }], IncludeDeprecated: true, MaxResults: 1000 },
      );
      for await (const page of pages) {
        for (const img of page.Images ?? []) found.push(toImage(img, region, accountId, intern));
      }
      out.push(...found);
      const foundIds = new Set(found.map((f) => f.id));
      for (const id of batch) {
        if (!foundIds.has(id)) {
          problems.push({
            resourceId: id,
            message: `${id} is in use but EC2 does not describe it (deregistered, or not shared with this account)`,
          });
        }
      }
    } catch (err) {
      problems.push({
        resourceId: batch.join(','),
        message: `could not describe in-use AMIs not owned by this account: ${errorText(err)}`,
      });
    }
  }
  return out;
}
