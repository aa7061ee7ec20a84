/**
 * The run-wide rules, tried in order on each candidate (an AMI every per-AMI rule let through),
 * oldest-unused first and ties by id, so reruns pick the same AMIs. The rules from `cap` on take one
 * of the run's places under the cap: an AMI whose launch permissions or snapshots are still to be read
 * holds its place until they are, while one kept as shared takes none, so shared AMIs cannot starve
 * the others.
 */
import { recoverabilityNote, recycleBinRequired, type RecycleBinView } from './recycle-bin';
import type { UsageReportRequest } from '../../image-usage-reports';
import type { CleanupSettings } from './settings';
import { deprecate, disable, stageGrace, stagedDeletionNote } from './stage-rules';
import type { Sharing } from './sharing';
import { MAX_USAGE_REPORT_REQUESTS_PER_RUN, type UsageReportVerdict } from './usage-reports';
import type { SnapshotKnowledge } from './snapshot-knowledge';
import type { Candidate, CleanupRefusal, SnapshotLookupFailure, Verdict } from './types';
import { keep } from './verdicts';

export interface CandidateContext {
  settings: CleanupSettings;
  now: Date;
  /** AMI id -> why keepNewestPerFamily protects it. */
  familyKept: ReadonlyMap<string, string>;
  refused: CleanupRefusal | undefined;
  /** This candidate's sharing and snapshots. */
  sharing: Sharing;
  snapshots: SnapshotKnowledge;
  placesLeft: number;
  /** This candidate's Recycle Bin coverage (see recycle-bin.ts). */
  recycleBin: RecycleBinView;
  /** With sharing 'report' (deleteSharedImages=when-unused): what its usage reports say. */
  usageReport?: UsageReportVerdict;
  /** Usage reports this run may still request (MAX_USAGE_REPORT_REQUESTS_PER_RUN). */
  reportRequestsLeft: number;
}

export interface CandidateVerdict extends Verdict {
  /** Why its deletion is only put off, not called off: a pending mark naming it stays. */
  putOff?: string;
  /** Counted among the AMIs kept because they are (or may be) shared. */
  keptShared?: true;
  /** Its launch permissions are to be read before the next plan. */
  readLaunchPermissions?: true;
  lookupFailure?: SnapshotLookupFailure;
  /** Its usage reports are to be read before the next plan. */
  readUsageReports?: true;
  /** A usage report to request for it (CreateImageUsageReport), for a later run to read. */
  requestReport?: UsageReportRequest;
}

export interface CandidateRule {
  name: string;
  summary: string;
  /** A verdict of this rule takes one of the run's places under the cap. */
  takesPlace: boolean;
  decide: (c: Candidate, ctx: CandidateContext) => CandidateVerdict | undefined;
}

/** The newest builds of a family stay whatever their age, so there is one to roll back to. */
function family(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  const why = ctx.familyKept.get(c.image.id);
  return why === undefined ? undefined : keep('retention', `${why} (otherwise: ${c.reason})`);
}

/** A run that cannot trust its inputs deletes nothing (see refusal.ts). */
function refused(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (!ctx.refused) return undefined;
  return {
    ...keep('refused', `would be deleted (${c.reason}), but this run deletes nothing: ${ctx.refused.reason}`),
    putOff: 'this run refuses to delete',
  };
}

/** Use in the accounts it is shared with is invisible here (see sharing.ts). */
function shared(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.sharing.kind !== 'keep') return undefined;
  return { ...keep('shared', `${ctx.sharing.reason} (otherwise: ${c.reason})`), keptShared: true };
}

/**
 * deleteSharedImages=when-unused: a shared AMI is kept unless a fresh usage report shows no account
 * using it (usage-reports.ts). With no report to go by, one is requested, within the run's bound.
 */
function sharedUsageReport(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  const v = ctx.usageReport;
  if (v?.kind !== 'keep') return undefined;
  if (!v.request) return { ...keep('shared', `${v.reason} (otherwise: ${c.reason})`), keptShared: true };
  if (ctx.reportRequestsLeft <= 0) {
    return {
      ...keep(
        'shared',
        `${v.reason}; this run's ${MAX_USAGE_REPORT_REQUESTS_PER_RUN} usage report requests are spent, so a later run requests one (otherwise: ${c.reason})`,
      ),
      keptShared: true,
    };
  }
  return {
    ...keep(
      'shared',
      `${v.reason}; a new usage report is requested for a later run to read (a dry run or the plan CLI requests none) (otherwise: ${c.reason})`,
    ),
    keptShared: true,
    requestReport: v.request,
  };
}

/** Like a failed launch-permission read: kept this run without a place; the next run looks again. */
function snapshotsUnknown(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  const s = ctx.snapshots;
  if (s.kind !== 'failed') return undefined;
  return {
    ...keep(
      'pending',
      `its snapshot ${s.snapshotId} could not be looked up (${s.message}), so whether this account owns it is unknown: kept this run, and the next run looks again (otherwise: ${c.reason})`,
    ),
    putOff: `the look-up of its snapshot ${s.snapshotId} failed this run`,
    lookupFailure: { imageId: c.image.id, snapshotId: s.snapshotId, message: s.message },
  };
}

/** The blast-radius cap: a bad day deletes at most maxDeletionsPerRun AMIs. */
function cap(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.placesLeft > 0) return undefined;
  const max = ctx.settings.maxDeletionsPerRun;
  return {
    action: 'defer',
    reason: `deferred to the next run: the cap of ${max} deletions per run was reached (${c.reason})`,
    putOff: `deferred by the cap of ${max} deletions per run`,
  };
}

/** Whether other accounts may launch it is unknown until its launch permissions are read. */
function launchPermissionsUnread(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.sharing.kind !== 'unread') return undefined;
  return {
    ...keep(
      'shared',
      `its launch permissions were not read in this run, so whether other accounts use it is unknown: kept (otherwise: ${c.reason})`,
    ),
    putOff: 'its launch permissions are still to be read',
    keptShared: true,
    readLaunchPermissions: true,
  };
}

/** Whether other accounts use it is unknown until its usage reports are read (usage-reports.ts). */
function usageReportUnread(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.usageReport?.kind !== 'unread') return undefined;
  return {
    ...keep(
      'shared',
      `its usage reports were not read in this run, so whether the accounts it is shared with use it is unknown: kept (otherwise: ${c.reason})`,
    ),
    putOff: 'its usage reports are still to be read',
    keptShared: true,
    readUsageReports: true,
  };
}

/** Its snapshots go with it only if this account owns them, which is unknown until they are looked up. */
function snapshotsUnread(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.snapshots.kind !== 'unread') return undefined;
  return {
    ...keep(
      'pending',
      `its snapshots were not looked up yet, so which of them this account owns is unknown: kept until they are (otherwise: ${c.reason})`,
    ),
    putOff: 'its snapshots are still to be looked up',
  };
}

/** Every rule passed. */
function eligible(c: Candidate, ctx: CandidateContext): CandidateVerdict {
  const sharingNote =
    ctx.sharing.kind === 'private'
      ? ctx.sharing.note
      : ctx.usageReport?.kind === 'unused'
        ? ctx.usageReport.note
        : undefined;
  const staged = stagedDeletionNote(c.stage);
  const recoverable = recoverabilityNote(ctx.recycleBin);
  const reason = [staged, c.reason, sharingNote, recoverable].filter((p) => p !== undefined).join('; ');
  return { action: 'delete', reason };
}

/** Every run-wide rule, in the order they are tried. */
export const CANDIDATE_RULES = [
  {
    name: 'family',
    summary: 'one of the newest keepNewestPerFamily AMIs of its familyTag family is kept',
    takesPlace: false,
    decide: family,
  },
  {
    name: 'stage-grace',
    summary:
      'an AMI cleanup deprecated or disabled is kept until its stage grace period (deprecateGraceDays, disableGraceDays) has passed by EC2 DeprecationTime',
    takesPlace: false,
    decide: stageGrace,
  },
  {
    name: 'refused',
    summary:
      'the whole run deletes nothing: the tagger is not demonstrably alive, or a usage reference could not be resolved',
    takesPlace: false,
    decide: refused,
  },
  {
    name: 'shared',
    summary:
      'an AMI public or shared with other accounts (or whose launch permissions could not be read) is kept unless deleteSharedImages',
    takesPlace: false,
    decide: shared,
  },
  {
    name: 'shared-usage-report',
    summary:
      'with deleteSharedImages=when-unused, a shared AMI is kept unless a usage report younger than a day shows no account using it (one is requested when none is pending)',
    takesPlace: false,
    decide: sharedUsageReport,
  },
  {
    name: 'snapshots-unknown',
    summary: 'an AMI one of whose snapshots could not be looked up is kept this run',
    takesPlace: false,
    decide: snapshotsUnknown,
  },
  {
    name: 'recycle-bin-required',
    summary:
      'with requireRecycleBin, an AMI is kept when no Recycle Bin retention rule covers it or one of its snapshots, or the rules could not be read',
    takesPlace: false,
    decide: recycleBinRequired,
  },
  {
    name: 'cap',
    summary: 'once maxDeletionsPerRun AMIs are chosen, the rest are deferred to the next run',
    takesPlace: false,
    decide: cap,
  },
  {
    name: 'launch-permissions-unread',
    summary:
      'an AMI whose launch permissions are still to be read is kept, holding its place, until they are',
    takesPlace: true,
    decide: launchPermissionsUnread,
  },
  {
    name: 'usage-report-unread',
    summary:
      'with deleteSharedImages=when-unused, a shared AMI whose usage reports are still to be read is kept, holding its place, until they are',
    takesPlace: true,
    decide: usageReportUnread,
  },
  // Retirement stages (stages.ts): each move takes a place under the cap, like a deletion; it needs
  // the launch permissions (disabling makes a shared AMI private) but not the snapshots.
  {
    name: 'deprecate',
    summary:
      'with deprecateGraceDays set, an AMI that would be deleted is deprecated first (EnableImageDeprecation), holding a place',
    takesPlace: true,
    decide: deprecate,
  },
  {
    name: 'disable',
    summary:
      'with disableGraceDays set, an AMI whose deprecation grace passed (or that would be deleted, without a deprecated stage) is disabled (DisableImage), holding a place',
    takesPlace: true,
    decide: disable,
  },
  {
    name: 'snapshots-unread',
    summary: 'an AMI whose snapshots are still to be looked up is kept, holding its place, until they are',
    takesPlace: true,
    decide: snapshotsUnread,
  },
  { name: 'eligible', summary: 'every rule passed: the AMI is deleted', takesPlace: true, decide: eligible },
] as const satisfies readonly CandidateRule[];

export type CandidateRuleName = (typeof CANDIDATE_RULES)[number]['name'];
