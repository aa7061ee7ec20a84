/**
 * AutoCleanup's decision: which AMIs to deregister and which snapshots to delete with them, and for
 * every AMI and snapshot looked at, why. Pure: inventory, settings and `now` in, plan out.
 *
 * An AMI's last activity is the latest of LastUsed, its creation and LastUsedObservedSince (the end
 * of a period the tagger did not watch it, e.g. an outage): so the retention runs from the end of
 * any blind period, and an AMI used only while the tagger was down is not taken for unused.
 *
 * Deleting the wrong AMI is the worst thing this product can do, so a deletion needs every safety
 * rule of the design to hold for that AMI, and the whole run refuses to delete anything when it
 * cannot trust its inputs:
 *   - no owned AMI carries a fresh LastUsedRuntime (the tagger is not demonstrably alive), or
 *   - a usage reference could not be resolved (a template version that was not read, a
 *     resolve:ssm: image id): its target could be any AMI, and we cannot tell which, so refusing
 *     the run is the only rule that is safe without guessing. The refusal names the references.
 *
 * AMIs shared outside the account (public, or with launch permissions for other accounts,
 * organizations or OUs) may be in use where this account cannot see: they are kept unless
 * deleteSharedImages says otherwise. Launch permissions cost a call per AMI, so the plan asks for
 * them only for the AMIs it would delete (launchPermissionsToRead), keeps those until they are read,
 * and the caller plans again with what it read (see shared/jobs/cleanup.ts). Which of an AMI's
 * snapshots this account owns is read the same way (snapshotsToRead, CleanupInput.snapshotLookups):
 * an AMI is deregistered only once every one of its snapshots is accounted for, because a snapshot
 * left behind by a deleted AMI without a pending-deletion mark is one no later run can find.
 */
import type { Image } from '../domain';
import { describeSharing, type LaunchPermissionsRead } from '../launch-permissions';
import { TAG, formatTimestamp, readOptInTag, readTimestampTag, type TagProblem, type Tags } from '../tags';
import { describeUsageRefs, type UnresolvedUsage, type UsageIndex } from '../usage';
import { DAY_MS, MINUTE_MS, formatDays, formatDuration, formatMinutes } from './format';

export interface CleanupSettings {
  /** An AMI unused (or, never used, created) for longer than this many days may be deleted. */
  retentionDays: number;
  /** LastUsedRuntime must be at most this many minutes old: proof the tagger is alive. */
  freshnessMinutes: number;
  /** Keep this many newest AMIs (by creation date) of each family, whatever their age. */
  keepNewestPerFamily?: number;
  /** The tag whose value names an AMI's family; required with keepNewestPerFamily. */
  familyTag?: string;
  /** Blast-radius cap: at most this many AMIs per run; the rest are deferred to the next run. */
  maxDeletionsPerRun: number;
  /**
   * Also delete AMIs shared outside the account (public, or launch permissions for other accounts,
   * organizations or OUs). Default false: their use in those accounts is invisible to this one.
   */
  deleteSharedImages?: boolean;
}

export const DEFAULT_CLEANUP_SETTINGS: Readonly<CleanupSettings> = Object.freeze({
  retentionDays: 7,
  freshnessMinutes: 60,
  maxDeletionsPerRun: 100,
});

/**
 * A snapshot as the adapter read it (DescribeSnapshots, owner self): those carrying TAG.pendingDeletion,
 * and those of the AMIs the plan would delete (see CleanupInput.snapshotLookups).
 */
export interface SnapshotRecord {
  id: string;
  ownerId: string;
  ownedBySelf: boolean;
  tags: Tags;
  state?: string;
}

export type CleanupAction = 'delete' | 'keep' | 'skip' | 'defer';

/**
 * The main reason an AMI was kept, for the run's metrics (the reason text says it in full): what
 * most often keeps AMIs tells an operator whether to change the settings, fix the tagger or wait.
 */
export type KeepReason =
  | 'inUse'
  | 'retention'
  | 'shared'
  | 'refused'
  | 'notOptedIn'
  | 'notOwned'
  | 'taggerStale'
  | 'tagProblem'
  | 'protected'
  | 'pending'
  | 'held'
  | 'other';

export interface CleanupDecision {
  imageId: string;
  action: CleanupAction;
  reason: string;
  /** The unreadable tag behind a 'skip' (or reported alongside a 'keep'). */
  problem?: TagProblem;
  /** Set on every 'keep'. */
  keptFor?: KeepReason;
}

/**
 * 'unmark': the snapshot is kept and its TAG.pendingDeletion mark removed, because the deletion the
 * mark was written for can no longer delete it (see planSnapshots).
 */
export type SnapshotAction = 'delete' | 'keep' | 'skip' | 'unmark';

export interface SnapshotDecision {
  snapshotId: string;
  /** The AMI the snapshot belongs (or, for a pending mark, belonged) to. */
  imageId: string;
  action: SnapshotAction;
  reason: string;
  problem?: TagProblem;
}

export interface PlannedImageDeletion {
  image: Image;
  /** Mark with TAG.pendingDeletion before deregistering, delete after: owned and no remaining AMI uses them. */
  snapshotIds: string[];
  reason: string;
}

export interface PlannedPendingSnapshotDeletion {
  snapshotId: string;
  imageId: string;
  reason: string;
}

/**
 * A TAG.pendingDeletion mark to remove. The apply step passes `mark` as the tag value to DeleteTags,
 * which then removes the tag only where it still has that value: a mark rewritten meanwhile (another
 * run deleting another AMI that uses the snapshot) is left alone.
 */
export interface PlannedSnapshotUnmark {
  snapshotId: string;
  /** The mark's value exactly as read, untrimmed: DeleteTags matches it byte for byte. */
  mark: string;
  /** The AMI the mark names. */
  imageId: string;
  reason: string;
}

/**
 * What a look-up of one snapshot id (DescribeSnapshots by id, owner self) found: 'read' means the
 * call answered, so the snapshot is in CleanupInput.snapshots if this account owns it, and anything
 * not there is another account's (or already gone); 'failed' means the call failed, so whether this
 * account owns it is unknown.
 */
export type SnapshotLookup = { kind: 'read' } | { kind: 'failed'; message: string };

export interface SnapshotLookupFailure {
  imageId: string;
  snapshotId: string;
  message: string;
}

export interface CleanupRefusal {
  reason: string;
  newestLastUsedRuntime?: string;
  unresolved?: UnresolvedUsage[];
}

export interface CleanupCounts {
  images: number;
  delete: number;
  keep: number;
  skip: number;
  defer: number;
  snapshotsToDelete: number;
  pendingSnapshotsToDelete: number;
  /** Snapshots not deleted (unmarked ones included: they are kept). */
  snapshotsKept: number;
  /** Pending-deletion marks to remove. */
  snapshotsToUnmark: number;
  problems: number;
  /** Kept because they are shared outside the account, or their launch permissions are unknown. */
  keptShared: number;
}

export interface CleanupPlan {
  /** In deletion order: oldest-unused first, then by id. Empty when refused. */
  deletions: PlannedImageDeletion[];
  /** Snapshots marked by earlier runs whose AMI is gone. Empty when refused. */
  pendingSnapshotDeletions: PlannedPendingSnapshotDeletion[];
  /**
   * Marks whose deletion can no longer delete the snapshot (the AMI named is kept, or another AMI
   * uses the snapshot), sorted by snapshot id. Also in a refused run: removing a mark deletes nothing.
   */
  snapshotUnmarks: PlannedSnapshotUnmark[];
  /** One per image read, sorted by image id. */
  decisions: CleanupDecision[];
  /** One per snapshot looked at (of planned AMIs, and pending marks), sorted by snapshot id then AMI id. */
  snapshotDecisions: SnapshotDecision[];
  /** Every unreadable tag value met, sorted by resource id then tag. */
  problems: TagProblem[];
  refused?: CleanupRefusal;
  /**
   * AMIs that would be deleted once their launch permissions are known, in deletion order and at
   * most the cap: read them (DescribeImageAttribute launchPermission) and plan again with them in
   * CleanupInput.launchPermissions. Until then they are kept. Empty when refused or when
   * deleteSharedImages is on.
   */
  launchPermissionsToRead: string[];
  /**
   * AMIs that would be deleted once their snapshots are known (and, for those also in
   * launchPermissionsToRead, their launch permissions: both are read side by side), in deletion order
   * and at most the cap: look up their snapshot ids not yet in
   * CleanupInput.snapshots or snapshotLookups (unknownSnapshotIds) and plan again with what was found.
   * Until then they are kept. Empty when refused, and always empty without snapshotLookups.
   */
  snapshotsToRead: string[];
  /** AMIs kept this run because the look-up of one of their snapshots failed, in deletion order. */
  snapshotLookupFailures: SnapshotLookupFailure[];
  counts: CleanupCounts;
}

export interface CleanupInput {
  images: Image[];
  usage: UsageIndex;
  snapshots: SnapshotRecord[];
  settings: CleanupSettings;
  now: Date;
  /**
   * Launch permissions read so far, by AMI id (see CleanupPlan.launchPermissionsToRead). An AMI that
   * would be deleted and is not in here is kept; a failed read keeps it too.
   */
  launchPermissions?: ReadonlyMap<string, LaunchPermissionsRead>;
  /**
   * Snapshot ids looked up so far (see CleanupPlan.snapshotsToRead and SnapshotLookup). Given (as the
   * cleanup job and the plan CLI always do), an AMI is deleted only when each of its snapshots has a
   * record in `snapshots` or a 'read' look-up here; one with a snapshot not looked up yet is kept until
   * it is, and one with a failed look-up is kept for the run. Absent, `snapshots` is taken to hold every
   * owned snapshot of every AMI (a full read up front), and a snapshot without a record is kept.
   */
  snapshotLookups?: ReadonlyMap<string, SnapshotLookup>;
  /**
   * What earlier rounds of this same run did. A real run deletes in rounds (shared/jobs/cleanup.ts),
   * reading launch permissions only a little ahead of its deletions; between rounds the AMIs it
   * deregistered leave `images` and the snapshots it touched leave `snapshots`, as a fresh read
   * would show them.
   */
  earlierRounds?: EarlierRounds;
}

export interface EarlierRounds {
  /** AMIs this run already deregistered or tried to: each took one place under the cap. */
  attempted: number;
  /**
   * AMIs an earlier round tried and left in place (a failed call, a reference found), with what
   * happened: kept for the rest of the run, so their snapshots stay theirs; the next run re-plans them.
   */
  held: ReadonlyMap<string, string>;
}

/** Settings that cannot be what the operator meant; each message names the setting and what is expected. */
export class CleanupSettingsError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid cleanup settings: ${issues.join('; ')}`);
    this.name = 'CleanupSettingsError';
  }
}

export function validateCleanupSettings(s: CleanupSettings): void {
  const issues: string[] = [];
  const positive = (name: string, v: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      issues.push(`${name} is ${String(v)}; expected a number greater than 0`);
    }
  };
  const count = (name: string, v: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      issues.push(`${name} is ${String(v)}; expected a whole number 0 or greater`);
    }
  };
  positive('retentionDays', s.retentionDays);
  positive('freshnessMinutes', s.freshnessMinutes);
  count('maxDeletionsPerRun', s.maxDeletionsPerRun);
  if (s.keepNewestPerFamily !== undefined) {
    count('keepNewestPerFamily', s.keepNewestPerFamily);
    if (s.familyTag === undefined || s.familyTag.trim() === '') {
      issues.push(
        'keepNewestPerFamily is set but familyTag is not; expected the tag key that names the family',
      );
    }
  }
  if (issues.length > 0) throw new CleanupSettingsError(issues);
}

const AMI_ID = /^ami-[0-9a-zA-Z]+$/;

/** An AMI that passed every per-image rule but the family and cap rules, with its last activity. */
interface Candidate {
  image: Image;
  lastActivity: Date;
  reason: string;
}

export function planCleanup(input: CleanupInput): CleanupPlan {
  const { usage, settings, now } = input;
  validateCleanupSettings(settings);
  if (Number.isNaN(now.getTime())) throw new RangeError('planCleanup: now is not a valid date');
  const nowText = formatTimestamp(now);
  const retentionMs = settings.retentionDays * DAY_MS;
  const freshnessMs = settings.freshnessMinutes * MINUTE_MS;
  const isFresh = (t: Date) => t.getTime() <= now.getTime() && now.getTime() - t.getTime() <= freshnessMs;

  const images = [...input.images].sort((a, b) => cmp(a.id, b.id));
  const idCounts = new Map<string, number>();
  for (const image of images) idCounts.set(image.id, (idCounts.get(image.id) ?? 0) + 1);
  const isDuplicate = (image: Image) => (idCounts.get(image.id) ?? 0) > 1;

  const problems: TagProblem[] = [];
  const keptShared = new Set<string>();
  const decisionByImage = new Map<Image, CleanupDecision>();
  const candidates: Candidate[] = [];
  const decide = (image: Image, action: CleanupAction, reason: string, problem?: TagProblem) =>
    decisionByImage.set(
      image,
      problem ? { imageId: image.id, action, reason, problem } : { imageId: image.id, action, reason },
    );
  const decideKeep = (image: Image, keptFor: KeepReason, reason: string, problem?: TagProblem) =>
    decisionByImage.set(
      image,
      problem
        ? { imageId: image.id, action: 'keep', reason, problem, keptFor }
        : { imageId: image.id, action: 'keep', reason, keptFor },
    );

  const held = input.earlierRounds?.held;

  // 1. Per-image rules, in an order that makes the first failing rule the most useful reason.
  for (const image of images) {
    if (isDuplicate(image)) {
      decide(image, 'skip', 'listed more than once by the inventory: not decided on until it is read once');
      continue;
    }
    const heldBecause = held?.get(image.id);
    if (heldBecause !== undefined) {
      decideKeep(
        image,
        'held',
        `tried earlier in this run and left in place (${heldBecause}); the next run re-plans it`,
      );
      continue;
    }
    if (!image.ownedBySelf) {
      decideKeep(image, 'notOwned', `owned by account ${image.ownerId}, not this one: never deleted`);
      continue;
    }
    if (image.state !== 'available') {
      decideKeep(image, 'other', `state ${image.state}: only available AMIs are deleted`);
      continue;
    }
    const optIn = readOptInTag(image.tags, TAG.autoCleanup, image.id);
    const lastUsed = readTimestampTag(image.tags, TAG.lastUsed, image.id);
    const runtime = readTimestampTag(image.tags, TAG.lastUsedRuntime, image.id);
    const observedSince = readTimestampTag(image.tags, TAG.lastUsedObservedSince, image.id);
    const timeProblems = [lastUsed, runtime, observedSince].flatMap((r) =>
      r.kind === 'invalid' ? [r.problem] : [],
    );
    if (optIn.kind === 'invalid') {
      problems.push(optIn.problem, ...timeProblems);
      decide(
        image,
        'skip',
        `AutoCleanup=${JSON.stringify(optIn.problem.value)} is not true or false: skipped, never deleted`,
        optIn.problem,
      );
      continue;
    }
    if (optIn.kind === 'absent' || !optIn.value) {
      // Malformed timestamps on an AMI that is not opted in harm nothing here, but break the contract: report them.
      problems.push(...timeProblems);
      decideKeep(
        image,
        'notOptedIn',
        optIn.kind === 'absent' ? 'not opted in: no AutoCleanup tag' : 'opted out: AutoCleanup=false',
        timeProblems[0],
      );
      continue;
    }
    if (timeProblems.length > 0) {
      problems.push(...timeProblems);
      const p = timeProblems[0]!;
      decide(
        image,
        'skip',
        `${p.tag}=${JSON.stringify(p.value)} is not readable (expected ${p.expected}): skipped, never deleted`,
        p,
      );
      continue;
    }
    const refs = usage.refsFor(image.id);
    if (refs.length > 0) {
      decideKeep(image, 'inUse', `in use by ${describeUsageRefs(refs)}`);
      continue;
    }
    if (image.deregistrationProtected) {
      decideKeep(
        image,
        'protected',
        'deregistration protection is on: AWS guards it and this product never overrides that',
      );
      continue;
    }
    const freshness = formatMinutes(settings.freshnessMinutes);
    if (runtime.kind === 'absent') {
      decideKeep(
        image,
        'taggerStale',
        `no LastUsedRuntime tag: the tagger has not covered this AMI within ${freshness}`,
      );
      continue;
    }
    if (runtime.kind === 'ok' && runtime.value.getTime() > now.getTime()) {
      const p = futureProblem(image.id, TAG.lastUsedRuntime, image.tags, nowText);
      problems.push(p);
      decideKeep(
        image,
        'tagProblem',
        `LastUsedRuntime ${formatTimestamp(runtime.value)} is in the future: kept and reported`,
        p,
      );
      continue;
    }
    if (runtime.kind === 'ok' && !isFresh(runtime.value)) {
      const age = formatDuration(now.getTime() - runtime.value.getTime());
      decideKeep(
        image,
        'taggerStale',
        `LastUsedRuntime ${formatTimestamp(runtime.value)} is ${age} old > ${freshness}: the tagger has not covered this AMI within ${freshness}`,
      );
      continue;
    }
    // A time tag in the future (LastUsed first) cannot be an age: kept and reported.
    const future = (
      [
        [TAG.lastUsed, lastUsed],
        [TAG.lastUsedObservedSince, observedSince],
      ] as const
    ).flatMap(([tag, r]) =>
      r.kind === 'ok' && r.value.getTime() > now.getTime() ? [{ tag, at: r.value }] : [],
    )[0];
    if (future) {
      const p = futureProblem(image.id, future.tag, image.tags, nowText);
      problems.push(p);
      decideKeep(
        image,
        'tagProblem',
        `${future.tag} ${formatTimestamp(future.at)} is in the future: kept and reported`,
        p,
      );
      continue;
    }
    const launched = image.lastLaunchedAt;
    if (launched !== undefined && (Number.isNaN(launched.getTime()) || launched.getTime() > now.getTime())) {
      const readable = !Number.isNaN(launched.getTime());
      const p: TagProblem = {
        resourceId: image.id,
        tag: 'LastLaunchedTime (EC2 image attribute)',
        value: readable ? formatTimestamp(launched) : 'unreadable',
        expected: `a time not after now (${nowText})`,
      };
      problems.push(p);
      decideKeep(
        image,
        'tagProblem',
        readable
          ? `EC2 LastLaunchedTime ${formatTimestamp(launched)} is in the future: kept and reported`
          : 'EC2 LastLaunchedTime could not be read: its last launch is unknown, so it is kept and reported',
        p,
      );
      continue;
    }
    const activity = lastActivity(
      lastUsed.kind === 'ok' ? lastUsed.value : undefined,
      knownDate(image.createdAt),
      observedSince.kind === 'ok' ? observedSince.value : undefined,
      launched,
    );
    if (activity === undefined) {
      decideKeep(
        image,
        'other',
        'never used (no LastUsed tag) and its creation date is unknown: its age cannot be told',
      );
      continue;
    }
    const age = now.getTime() - activity.at.getTime();
    const retention = `${formatDays(settings.retentionDays)} retention`;
    if (age <= retentionMs) {
      decideKeep(
        image,
        'retention',
        age < 0
          ? `${activity.describe} is in the future: its age cannot be told`
          : `${activity.describe}, ${formatDuration(age)} ago: within the ${retention}`,
      );
      continue;
    }
    candidates.push({
      image,
      lastActivity: activity.at,
      reason: `${activity.describe}, ${formatDuration(age)} > ${retention}`,
    });
  }

  // 2. Keep the newest N of each family, counted over every owned available AMI of it (not only the
  //    opted-in ones), so that N recent builds of a family always remain to roll back to.
  const familyKept = protectedByFamily(
    images.filter((i) => !isDuplicate(i)),
    settings,
  );
  const capped: Candidate[] = [];
  for (const c of candidates) {
    const why = familyKept.get(c.image.id);
    if (why !== undefined) decideKeep(c.image, 'retention', `${why} (otherwise: ${c.reason})`);
    else capped.push(c);
  }

  // 3. Whole-run refusal.
  const refused = refusal(
    images.filter((i) => i.ownedBySelf && !isDuplicate(i)),
    usage,
    now,
    settings,
    isFresh,
  );

  // 4. Shared AMIs and the blast-radius cap: oldest-unused first, ties by id, so reruns pick the
  //    same AMIs. An AMI kept as shared takes no place under the cap, so shared AMIs cannot starve
  //    the others; one whose launch permissions are still to be read holds its place until they are.
  capped.sort((a, b) => a.lastActivity.getTime() - b.lastActivity.getTime() || cmp(a.image.id, b.image.id));
  const chosen: Candidate[] = [];
  const launchPermissionsToRead: string[] = [];
  const snapshotsToRead: string[] = [];
  const snapshotLookupFailures: SnapshotLookupFailure[] = [];
  const knowsSnapshots = snapshotKnowledge(input.snapshots, input.snapshotLookups);
  // Candidates whose deletion is put off, not called off, with why: a mark naming one stays.
  const stillToCome = new Map<string, string>();
  let places = Math.max(0, settings.maxDeletionsPerRun - (input.earlierRounds?.attempted ?? 0));
  for (const c of capped) {
    if (refused) {
      stillToCome.set(c.image.id, 'this run refuses to delete');
      decideKeep(
        c.image,
        'refused',
        `would be deleted (${c.reason}), but this run deletes nothing: ${refused.reason}`,
      );
      continue;
    }
    const sharing = sharingOf(c.image, settings, input.launchPermissions);
    if (sharing.kind === 'keep') {
      keptShared.add(c.image.id);
      decideKeep(c.image, 'shared', `${sharing.reason} (otherwise: ${c.reason})`);
      continue;
    }
    const snapshotsKnown = knowsSnapshots(c.image);
    if (snapshotsKnown.kind === 'failed') {
      // Like a failed launch-permission read: kept this run, taking no place under the cap. Its
      // deletion is only put off to the next run, so a pending mark naming it stays.
      stillToCome.set(c.image.id, `the look-up of its snapshot ${snapshotsKnown.snapshotId} failed this run`);
      snapshotLookupFailures.push({
        imageId: c.image.id,
        snapshotId: snapshotsKnown.snapshotId,
        message: snapshotsKnown.message,
      });
      decideKeep(
        c.image,
        'pending',
        `its snapshot ${snapshotsKnown.snapshotId} could not be looked up (${snapshotsKnown.message}), so whether this account owns it is unknown: kept this run, and the next run looks again (otherwise: ${c.reason})`,
      );
      continue;
    }
    if (places === 0) {
      stillToCome.set(c.image.id, `deferred by the cap of ${settings.maxDeletionsPerRun} deletions per run`);
      decide(
        c.image,
        'defer',
        `deferred to the next run: the cap of ${settings.maxDeletionsPerRun} deletions per run was reached (${c.reason})`,
      );
      continue;
    }
    places -= 1;
    // Its snapshots are looked up side by side with its launch permissions, not after them.
    if (snapshotsKnown.kind === 'unread') snapshotsToRead.push(c.image.id);
    if (sharing.kind === 'unread') {
      stillToCome.set(c.image.id, 'its launch permissions are still to be read');
      keptShared.add(c.image.id);
      launchPermissionsToRead.push(c.image.id);
      decideKeep(
        c.image,
        'shared',
        `its launch permissions were not read in this run, so whether other accounts use it is unknown: kept (otherwise: ${c.reason})`,
      );
      continue;
    }
    if (snapshotsKnown.kind === 'unread') {
      stillToCome.set(c.image.id, 'its snapshots are still to be looked up');
      decideKeep(
        c.image,
        'pending',
        `its snapshots were not looked up yet, so which of them this account owns is unknown: kept until they are (otherwise: ${c.reason})`,
      );
      continue;
    }
    chosen.push(c);
    decide(c.image, 'delete', sharing.note ? `${c.reason}; ${sharing.note}` : c.reason);
  }

  // 5. Snapshots.
  const deleting = refused ? [] : chosen;
  const snapshotPlan = planSnapshots(images, deleting, input.snapshots, {
    decisionByImage,
    refused,
    held,
    stillToCome,
    lookups: input.snapshotLookups,
  });
  problems.push(...snapshotPlan.problems);

  const decisions = images.map((i) => decisionByImage.get(i)!);
  const plan: Omit<CleanupPlan, 'counts'> = {
    deletions: snapshotPlan.deletions,
    pendingSnapshotDeletions: snapshotPlan.pending,
    snapshotUnmarks: snapshotPlan.unmarks,
    decisions,
    snapshotDecisions: snapshotPlan.decisions,
    problems: problems.sort((a, b) => cmp(a.resourceId, b.resourceId) || cmp(a.tag, b.tag)),
    launchPermissionsToRead,
    snapshotsToRead,
    snapshotLookupFailures,
  };
  if (refused) plan.refused = refused;
  return { ...plan, counts: countPlan(plan, keptShared.size) };
}

function countPlan(plan: Omit<CleanupPlan, 'counts'>, keptShared: number): CleanupCounts {
  const { decisions } = plan;
  return {
    images: decisions.length,
    delete: decisions.filter((d) => d.action === 'delete').length,
    keep: decisions.filter((d) => d.action === 'keep').length,
    skip: decisions.filter((d) => d.action === 'skip').length,
    defer: decisions.filter((d) => d.action === 'defer').length,
    snapshotsToDelete: plan.deletions.reduce((n, d) => n + d.snapshotIds.length, 0),
    pendingSnapshotsToDelete: plan.pendingSnapshotDeletions.length,
    snapshotsKept: plan.snapshotDecisions.filter((d) => d.action !== 'delete').length,
    snapshotsToUnmark: plan.snapshotUnmarks.length,
    problems: plan.problems.length,
    keptShared,
  };
}

/** How many AMIs were kept for each main reason (reasons with none are absent). */
export function countKeptByReason(
  decisions: readonly CleanupDecision[],
): Partial<Record<KeepReason, number>> {
  const out: Partial<Record<KeepReason, number>> = {};
  for (const d of decisions) {
    if (d.action !== 'keep') continue;
    const why = d.keptFor ?? 'other';
    out[why] = (out[why] ?? 0) + 1;
  }
  return out;
}

/**
 * One plan for a run made in rounds (see CleanupInput.earlierRounds), as the run reports it: every
 * deletion any round planned; for an AMI, the round that chose it for deletion (what happened then is
 * the apply step's to say) or else the last round's decision; for a snapshot, the last round that
 * looked at it. An AMI deregistered in an earlier round is not in the later rounds' inventory, and
 * one left in place is only 'kept' there because the run tried it: neither may hide why it was chosen.
 */
export function mergeCleanupRounds(rounds: readonly CleanupPlan[]): CleanupPlan {
  const last = rounds[rounds.length - 1];
  if (last === undefined) throw new RangeError('mergeCleanupRounds: no rounds to merge');
  if (rounds.length === 1) return last;
  const chosen = new Map<string, CleanupDecision>();
  for (const round of rounds) {
    for (const d of round.decisions)
      if (d.action === 'delete' && !chosen.has(d.imageId)) chosen.set(d.imageId, d);
  }
  const decisions: CleanupDecision[] = [];
  const decided = new Set<string>();
  const snapshotDecisions: SnapshotDecision[] = [];
  const snapshotsDecided = new Set<string>();
  // Latest round first: a resource a later round decided on is not taken again from an earlier one.
  for (const round of [...rounds].reverse()) {
    const here = new Set<string>();
    for (const d of round.decisions) {
      if (decided.has(d.imageId)) continue;
      here.add(d.imageId);
      decisions.push(chosen.get(d.imageId) ?? d);
    }
    for (const id of here) decided.add(id);
    const snapshotsHere = new Set<string>();
    for (const d of round.snapshotDecisions) {
      if (snapshotsDecided.has(d.snapshotId)) continue;
      snapshotsHere.add(d.snapshotId);
      snapshotDecisions.push(d);
    }
    for (const id of snapshotsHere) snapshotsDecided.add(id);
  }
  // A stable sort keeps an inventory's duplicate ids (two 'skip' decisions) in their order.
  decisions.sort((a, b) => cmp(a.imageId, b.imageId));
  snapshotDecisions.sort((a, b) => cmp(a.snapshotId, b.snapshotId) || cmp(a.imageId, b.imageId));
  const plan: Omit<CleanupPlan, 'counts'> = {
    deletions: rounds.flatMap((r) => r.deletions),
    pendingSnapshotDeletions: rounds.flatMap((r) => r.pendingSnapshotDeletions),
    snapshotUnmarks: rounds.flatMap((r) => r.snapshotUnmarks),
    decisions,
    snapshotDecisions,
    problems: last.problems,
    launchPermissionsToRead: last.launchPermissionsToRead,
    snapshotsToRead: last.snapshotsToRead,
    // A failed look-up is not retried in the run, so the last round still keeps every AMI it kept.
    snapshotLookupFailures: last.snapshotLookupFailures,
  };
  if (last.refused) plan.refused = last.refused;
  return { ...plan, counts: countPlan(plan, last.counts.keptShared) };
}

type SnapshotKnowledge =
  { kind: 'known' } | { kind: 'unread' } | { kind: 'failed'; snapshotId: string; message: string };

/**
 * Whether every snapshot of an AMI is accounted for: a record read (owned by this account), or a
 * look-up that answered without it (another account's, or gone). Without look-ups at all, the
 * records are a full read and nothing is ever unread.
 */
function snapshotKnowledge(
  snapshots: readonly SnapshotRecord[],
  lookups: ReadonlyMap<string, SnapshotLookup> | undefined,
): (image: Image) => SnapshotKnowledge {
  if (lookups === undefined) return () => ({ kind: 'known' });
  const recorded = new Set(snapshots.map((s) => s.id));
  return (image) => {
    let unread = false;
    for (const id of image.snapshotIds) {
      if (recorded.has(id)) continue;
      const lookup = lookups.get(id);
      if (lookup === undefined) unread = true;
      else if (lookup.kind === 'failed') return { kind: 'failed', snapshotId: id, message: lookup.message };
    }
    return unread ? { kind: 'unread' } : { kind: 'known' };
  };
}

/**
 * The snapshot ids of these AMIs that have neither a record nor a look-up: what to ask
 * DescribeSnapshots about for CleanupPlan.snapshotsToRead. Distinct, in the AMIs' order.
 */
export function unknownSnapshotIds(
  images: readonly Image[],
  snapshots: readonly SnapshotRecord[],
  lookups: ReadonlyMap<string, SnapshotLookup>,
): string[] {
  const recorded = new Set(snapshots.map((s) => s.id));
  const out = new Set<string>();
  for (const image of images) {
    for (const id of image.snapshotIds) if (!recorded.has(id) && !lookups.has(id)) out.add(id);
  }
  return [...out];
}

type Sharing = { kind: 'private'; note?: string } | { kind: 'keep'; reason: string } | { kind: 'unread' };

const INVISIBLE = 'use there is invisible to this account, so it is kept while deleteSharedImages is off';

/** Whether an AMI that passed every other rule may go, given who else may launch it. */
function sharingOf(
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

/** "ami-1 delete: unused since ..." — one line for logs and the CLI. */
export function describeCleanupDecision(d: CleanupDecision): string {
  return `${d.imageId} ${d.action}: ${d.reason}`;
}

function futureProblem(resourceId: string, tag: string, tags: Tags, nowText: string): TagProblem {
  return { resourceId, tag, value: tags[tag] ?? '', expected: `a time not after now (${nowText})` };
}

/** An Invalid Date (from an unparsable CreationDate) is as good as no date: never a reason to act. */
function knownDate(d: Date | undefined): Date | undefined {
  return d !== undefined && !Number.isNaN(d.getTime()) ? d : undefined;
}

/**
 * The moment the AMI was last known to matter: the latest of LastUsed, its creation (a LastUsed older
 * than the AMI itself was copied from another AMI and says nothing about this one), EC2's
 * LastLaunchedTime (it lags about a day, but a launch LastUsed missed still shows up there) and the
 * end of the last period nobody watched its use (LastUsedObservedSince: it may have been used all
 * through a tagger outage). Only ever the latest: whoever writes one of these can delay a deletion,
 * not hasten it.
 */
function lastActivity(
  lastUsed: Date | undefined,
  createdAt: Date | undefined,
  observedSince: Date | undefined,
  lastLaunched?: Date,
) {
  let latest = lastUsedOrCreation(lastUsed, createdAt);
  const consider = (at: Date | undefined, describe: (at: Date) => string) => {
    if (at !== undefined && (latest === undefined || at.getTime() > latest.at.getTime())) {
      latest = { at, describe: describe(at) };
    }
  };
  consider(lastLaunched, (at) => `last launched ${formatTimestamp(at)} (EC2 LastLaunchedTime)`);
  consider(
    observedSince,
    (at) =>
      `use not observed until LastUsedObservedSince ${formatTimestamp(at)} (the tagger was not watching it before then), so counted as used then`,
  );
  return latest;
}

function lastUsedOrCreation(lastUsed: Date | undefined, createdAt: Date | undefined) {
  if (lastUsed !== undefined) {
    if (createdAt !== undefined && createdAt.getTime() > lastUsed.getTime()) {
      return {
        at: createdAt,
        describe: `LastUsed ${formatTimestamp(lastUsed)} predates its creation, so unused since creation ${formatTimestamp(createdAt)}`,
      };
    }
    return { at: lastUsed, describe: `unused since ${formatTimestamp(lastUsed)}` };
  }
  if (createdAt !== undefined) {
    return { at: createdAt, describe: `never used; created ${formatTimestamp(createdAt)}` };
  }
  return undefined;
}

/**
 * AMI id -> why it is protected. The newest N by creation date are kept; AMIs tied with the Nth are
 * all kept, and an AMI whose creation date is unknown cannot be ranked, so it is kept too, without
 * taking one of the N places (otherwise an undated AMI could push a dated one out of protection).
 */
function protectedByFamily(images: Image[], settings: CleanupSettings): Map<string, string> {
  const out = new Map<string, string>();
  const n = settings.keepNewestPerFamily;
  const tag = settings.familyTag?.trim();
  if (n === undefined || n === 0 || !tag) return out;
  const families = new Map<string, Image[]>();
  for (const image of images) {
    if (!image.ownedBySelf || image.state !== 'available') continue;
    const family = image.tags[tag]?.trim();
    if (!family) continue;
    families.set(family, [...(families.get(family) ?? []), image]);
  }
  for (const [family, members] of families) {
    const dated = members.flatMap((m) => {
      const createdAt = knownDate(m.createdAt);
      return createdAt ? [{ id: m.id, createdAt }] : [];
    });
    dated.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const threshold = dated.length > n ? dated[n - 1]!.createdAt.getTime() : -Infinity;
    for (const m of members) {
      const createdAt = knownDate(m.createdAt);
      if (createdAt === undefined) {
        out.set(
          m.id,
          `family ${tag}=${family}: creation date unknown, so it cannot be ranked against the newest ${n}`,
        );
      } else if (createdAt.getTime() >= threshold) {
        out.set(
          m.id,
          `among the newest ${n} of family ${tag}=${family} (created ${formatTimestamp(createdAt)})`,
        );
      }
    }
  }
  return out;
}

function refusal(
  owned: Image[],
  usage: UsageIndex,
  now: Date,
  settings: CleanupSettings,
  isFresh: (t: Date) => boolean,
): CleanupRefusal | undefined {
  const reasons: string[] = [];
  const result: CleanupRefusal = { reason: '' };

  const runtimes = owned.flatMap((i) => {
    const r = readTimestampTag(i.tags, TAG.lastUsedRuntime, i.id);
    return r.kind === 'ok' ? [r.value] : [];
  });
  // With no owned AMI there is nothing the tagger protects, so a region without AMIs is not an alarm.
  if (owned.length > 0 && !runtimes.some(isFresh)) {
    const window = formatMinutes(settings.freshnessMinutes);
    if (runtimes.length === 0) {
      reasons.push(
        `refusing to delete: none of the ${owned.length} AMIs owned by this account carries a readable LastUsedRuntime; is the tagger running?`,
      );
    } else {
      const newest = new Date(Math.max(...runtimes.map((t) => t.getTime())));
      result.newestLastUsedRuntime = formatTimestamp(newest);
      const past = runtimes.filter((t) => t.getTime() <= now.getTime());
      if (past.length === 0) {
        reasons.push(
          `refusing to delete: every LastUsedRuntime is in the future (newest ${formatTimestamp(newest)}, now ${formatTimestamp(now)}); is a clock wrong or another tool writing the tag?`,
        );
      } else {
        const newestPast = new Date(Math.max(...past.map((t) => t.getTime())));
        reasons.push(
          `refusing to delete: newest LastUsedRuntime is ${formatTimestamp(newestPast)}, ${formatDuration(now.getTime() - newestPast.getTime())} old > ${window}; is the tagger running?`,
        );
      }
    }
  }
  if (usage.unresolved.length > 0) {
    const shown = usage.unresolved.slice(0, 3).map((u) => u.message);
    const more = usage.unresolved.length > 3 ? ` and ${usage.unresolved.length - 3} more` : '';
    reasons.push(
      `refusing to delete: ${usage.unresolved.length} usage reference(s) could not be resolved, so any AMI could be in use (${shown.join('; ')}${more})`,
    );
    result.unresolved = [...usage.unresolved];
  }
  if (reasons.length === 0) return undefined;
  result.reason = reasons.join('; also ');
  return result;
}

interface SnapshotContext {
  decisionByImage: Map<Image, CleanupDecision>;
  refused: CleanupRefusal | undefined;
  /** AMIs an earlier round of this run tried and left in place, with what happened. */
  held: ReadonlyMap<string, string> | undefined;
  /**
   * Candidates whose deletion is put off (cap, unread launch permissions or snapshots, a failed
   * snapshot look-up, refusal), with why.
   */
  stillToCome: ReadonlyMap<string, string>;
  /** Snapshot look-ups so far; absent when `snapshots` is a full read. */
  lookups: ReadonlyMap<string, SnapshotLookup> | undefined;
}

/**
 * The snapshots of the AMIs deleted in this run, then every other snapshot carrying TAG.pendingDeletion.
 *
 * A mark promises "the AMI named here is being deleted, and this snapshot goes with it": it is what
 * lets a later run finish a run cut short between DeregisterImage and DeleteSnapshot. A mark the
 * deletion can no longer honour is removed ('unmark'), because it does not expire: left on the
 * snapshot of an AMI that is kept, it would get the snapshot deleted by the first run after somebody
 * deregisters that AMI by hand, months later, meaning to keep the snapshot. So a mark stays only while
 *   - the AMI it names is gone and nothing else uses the snapshot (the snapshot is deleted), or
 *   - the AMI is deleted in this run, was tried earlier in this run (the next run decides), or is a
 *     candidate whose deletion is only put off (the cap, launch permissions still to be read, a
 *     refused run), or EC2 still lists it as deregistered;
 * and it is removed when
 *   - the AMI is kept for any other reason (in use, not opted in, protected, shared, ...),
 *   - the AMI does not use the snapshot at all (cleanup only marks an AMI's own snapshots; a copy of
 *     a marked snapshot carries the mark along), or
 *   - another remaining AMI uses the snapshot: it can only go with the last AMI that uses it, and
 *     cleanup marks it afresh when it deletes that AMI.
 * Cleanup marks again whatever it deletes, so a mark removed by mistake costs at most a snapshot left
 * behind, never one deleted. That is also why a refused run removes marks: it refuses to delete.
 */
function planSnapshots(
  images: Image[],
  deleting: Candidate[],
  snapshots: SnapshotRecord[],
  context: SnapshotContext,
) {
  const { decisionByImage, refused, held, stillToCome, lookups } = context;
  const deletingIds = new Set(deleting.map((c) => c.image.id));
  // Every image that stays (owned or not, any state) keeps its snapshots alive.
  const referencedBy = new Map<string, string[]>();
  for (const image of images) {
    if (deletingIds.has(image.id)) continue;
    for (const s of image.snapshotIds) referencedBy.set(s, [...(referencedBy.get(s) ?? []), image.id]);
  }
  const records = new Map<string, SnapshotRecord>();
  for (const s of [...snapshots].sort((a, b) => cmp(a.id, b.id)))
    if (!records.has(s.id)) records.set(s.id, s);

  const decisions: SnapshotDecision[] = [];
  const problems: TagProblem[] = [];
  const assigned = new Set<string>();
  const deletions: PlannedImageDeletion[] = deleting.map((c) => {
    const snapshotIds: string[] = [];
    for (const snapshotId of [...new Set(c.image.snapshotIds)].sort(cmp)) {
      if (assigned.has(snapshotId)) continue; // also behind an AMI earlier in this plan: deleted with that one
      const keep = (reason: string) =>
        decisions.push({ snapshotId, imageId: c.image.id, action: 'keep', reason });
      const users = referencedBy.get(snapshotId);
      const record = records.get(snapshotId);
      if (users) keep(`also used by remaining AMI ${users.join(', ')}: kept`);
      else if (!record && lookups?.get(snapshotId)?.kind === 'read')
        keep(
          'not among the snapshots this account owns (another account owns it, or it is gone): never deleted',
        );
      else if (!record) keep('not described by the inventory, so its owner is unknown: kept');
      else if (!record.ownedBySelf) keep(`owned by account ${record.ownerId}, not this one: never deleted`);
      else {
        assigned.add(snapshotId);
        snapshotIds.push(snapshotId);
        decisions.push({
          snapshotId,
          imageId: c.image.id,
          action: 'delete',
          reason: `belongs to ${c.image.id}, deleted in this run; owned by this account and no remaining AMI uses it`,
        });
      }
    }
    return { image: c.image, snapshotIds, reason: c.reason };
  });

  const imagesById = new Map(images.map((i) => [i.id, i]));
  // EC2 lists an AMI as 'deregistered' for a while after DeregisterImage: it is on its way out, so it
  // is no reason to remove a mark (but still one to keep the snapshot, as referencedBy does).
  const isListedDeregistered = (id: string) => imagesById.get(id)?.state === 'deregistered';
  const pending: PlannedPendingSnapshotDeletion[] = [];
  const unmarks: PlannedSnapshotUnmark[] = [];
  for (const record of records.values()) {
    const raw = record.tags[TAG.pendingDeletion];
    if (raw === undefined || assigned.has(record.id)) continue;
    const imageId = raw.trim();
    const decision = (action: SnapshotDecision['action'], reason: string, problem?: TagProblem) =>
      decisions.push(
        problem
          ? { snapshotId: record.id, imageId, action, reason, problem }
          : { snapshotId: record.id, imageId, action, reason },
      );
    const unmark = (reason: string) => {
      unmarks.push({ snapshotId: record.id, mark: raw, imageId, reason });
      decision('unmark', reason);
    };
    if (!record.ownedBySelf) {
      decision(
        'keep',
        `marked ${TAG.pendingDeletion}=${raw} but owned by account ${record.ownerId}, not this one: never deleted`,
      );
      continue;
    }
    if (!AMI_ID.test(imageId)) {
      const problem: TagProblem = {
        resourceId: record.id,
        tag: TAG.pendingDeletion,
        value: raw,
        expected: 'the id of the AMI the snapshot belonged to (ami-...)',
      };
      problems.push(problem);
      decision(
        'skip',
        `${TAG.pendingDeletion}=${JSON.stringify(raw)} names no AMI: skipped, never deleted`,
        problem,
      );
      continue;
    }
    const image = imagesById.get(imageId);
    // Other AMIs that stay and use the snapshot (the one the mark names aside).
    const others = (referencedBy.get(record.id) ?? []).filter((id) => id !== imageId);
    const standing = others.filter((id) => !isListedDeregistered(id));
    const lastOne =
      'the snapshot goes only with the last AMI that uses it, and cleanup marks it again when it deletes that AMI';
    if (image !== undefined) {
      if (image.state === 'deregistered') {
        decision(
          'keep',
          `marked for ${imageId}, which EC2 still lists as deregistered: the mark stays, and a later run deletes the snapshot once ${imageId} is gone and nothing uses it`,
        );
      } else if (!image.snapshotIds.includes(record.id)) {
        unmark(
          `marked for ${imageId}, which does not use this snapshot, so the mark is not one cleanup wrote for deleting it (a copy of a marked snapshot carries the mark): mark removed, so that deregistering ${imageId} cannot get this snapshot deleted`,
        );
      } else if (held?.has(imageId)) {
        decision(
          'keep',
          `marked for ${imageId}, which this run tried to delete and left in place (${held.get(imageId)}): the mark stays and the next run decides`,
        );
      } else if (standing.length > 0) {
        unmark(
          `marked for ${imageId}, but remaining AMI ${standing.join(', ')} uses it too: mark removed; ${lastOne}`,
        );
      } else if (deletingIds.has(imageId)) {
        decision(
          'keep',
          `marked for ${imageId}, which this run deletes; the snapshot is deleted on a later run once nothing uses it`,
        );
      } else if (stillToCome.has(imageId)) {
        decision(
          'keep',
          `marked for ${imageId}, whose deletion is put off (${stillToCome.get(imageId)}): the mark stays for the run that deletes it`,
        );
      } else {
        const d = decisionByImage.get(image);
        unmark(
          `mark from an interrupted run; ${imageId} still exists and is kept (${d ? `${d.action}: ${d.reason}` : 'kept'}): mark removed so that a later deregistration by hand cannot get the snapshot deleted`,
        );
      }
      continue;
    }
    if (standing.length > 0) {
      unmark(
        `marked for ${imageId}, which is gone, but remaining AMI ${standing.join(', ')} uses it: mark removed; ${lastOne}`,
      );
      continue;
    }
    const users = referencedBy.get(record.id);
    if (users) {
      decision(
        'keep',
        `marked for ${imageId}, which is gone, but remaining AMI ${users.join(', ')} uses it: kept`,
      );
      continue;
    }
    if (refused) {
      decision(
        'keep',
        `marked for ${imageId}, which is gone, but this run deletes nothing: ${refused.reason}`,
      );
      continue;
    }
    const reason = `marked for ${imageId} by an earlier run; that AMI is gone and no remaining AMI uses the snapshot`;
    pending.push({ snapshotId: record.id, imageId, reason });
    decision('delete', reason);
  }
  decisions.sort((a, b) => cmp(a.snapshotId, b.snapshotId) || cmp(a.imageId, b.imageId));
  pending.sort((a, b) => cmp(a.snapshotId, b.snapshotId));
  unmarks.sort((a, b) => cmp(a.snapshotId, b.snapshotId));
  return { deletions, pending, unmarks, decisions, problems };
}

/** Code-unit order, not locale order: the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
