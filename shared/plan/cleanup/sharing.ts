/**
 * AMIs shared outside the account (public, or with launch permissions for other accounts,
 * organizations or OUs) may be in use where this account cannot see: they are kept unless
 * deleteSharedImages says otherwise. Launch permissions cost a call per AMI, so the plan asks for
 * them only for the AMIs it would delete (CleanupPlan.launchPermissionsToRead), keeps those until
 * they are read, and the caller plans again with what it read (see shared/jobs/cleanup.ts).
 */
import type { Image } from '../../domain';
import { describeSharing, type LaunchPermission, type LaunchPermissionsRead } from '../../launch-permissions';
import type { CleanupSettings } from './settings';

export type Sharing =
  | { kind: 'private'; note?: string }
  | { kind: 'keep'; reason: string }
  | { kind: 'unread' }
  /** deleteSharedImages=when-unused and shared, not public: its usage reports decide (usage-reports.ts). */
  | { kind: 'report'; shared: string; permissions: LaunchPermission[] };

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
  if (image.public) {
    // A usage report sees accounts that reference the AMI now, not copies of it, use before the
    // report or accounts it cannot name: for an AMI anyone may launch, that is too little to delete on.
    const why =
      settings.deleteSharedImages === 'when-unused'
        ? 'a usage report cannot see every use of a public AMI, so deleteSharedImages=when-unused keeps it'
        : INVISIBLE;
    return { kind: 'keep', reason: `public (every AWS account may launch it): ${why}` };
  }
  const read = launchPermissions?.get(image.id);
  if (read === undefined) return { kind: 'unread' };
  if (read.kind === 'failed') {
    return {
      kind: 'keep',
      reason: `its launch permissions could not be read (${read.message}), so whether other accounts use it is unknown: kept this run`,
    };
  }
  const shared = describeSharing(read.permissions);
  if (!shared) return { kind: 'private' };
  if (settings.deleteSharedImages === 'when-unused') {
    return { kind: 'report', shared, permissions: read.permissions };
  }
  return { kind: 'keep', reason: `${shared}: ${INVISIBLE}` };
}
