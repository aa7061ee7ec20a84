/**
 * AMIs shared outside the account (public, or with launch permissions for other accounts,
 * organizations or OUs) may be in use where this account cannot see: they are kept unless
 * deleteSharedImages says otherwise. Launch permissions cost a call per AMI, so the plan asks for
 * them only for the AMIs it would delete (CleanupPlan.launchPermissionsToRead), keeps those until
 * they are read, and the caller plans again with what it read (see shared/jobs/cleanup.ts).
 */
import type { Image } from '../../domain';
import { describeSharing, type LaunchPermissionsRead } from '../../launch-permissions';
import type { CleanupSettings } from './settings';

export type Sharing =
  { kind: 'private'; note?: string } | { kind: 'keep'; reason: string } | { kind: 'unread' };

const INVISIBLE = 'use there is invisible to this account, so it is kept while deleteSharedImages is off';

/** Whether an AMI that passed every other rule may go, given who else may launch it. */
export function sharingOf(
  image: Image,
  settings: CleanupSettings,
  launchPermissions: ReadonlyMap<string, LaunchPermissionsRead> | undefined,
): Sharing {
  if (settings.deleteSharedImages === true) {
    return image.public
      ? { kind: 'private', note: 'public, deleted because deleteSharedImages is on' }
      : { kind: 'private' };
  }
  if (image.public) return { kind: 'keep', reason: `public (every AWS account may launch it): ${INVISIBLE}` };
  const read = launchPermissions?.get(image.id);
  if (read === undefined) return { kind: 'unread' };
  if (read.kind === 'failed') {
    return {
      kind: 'keep',
      reason: `its launch permissions could not be read (${read.message}), so whether other accounts use it is unknown: kept this run`,
    };
  }
  const shared = describeSharing(read.permissions);
  return shared ? { kind: 'keep', reason: `${shared}: ${INVISIBLE}` } : { kind: 'private' };
}
