/**
 * Which Recycle Bin rule would retain a resource deleted now, by AWS's documented semantics
 * (Amazon EBS User Guide, "Recycle Bin retention rules"; API ResourceTag):
 * - a tag-level rule retains a resource carrying at least one of its ResourceTags: same key, and the
 *   same value when the rule gives one (a key without a value matches any value of that key);
 * - a Region-level rule (no ResourceTags) retains every resource of its type except those carrying
 *   one of its ExcludeResourceTags (matched the same way);
 * - only rules in `available` status retain anything.
 * Tags are compared exactly, untrimmed and case-sensitive, as AWS compares them: a claim of
 * "recoverable" that AWS would not honour is the one mistake this module must not make. Pure.
 */
import type { Tags } from '../tags';
import type {
  Coverage,
  ImageRecoverability,
  RecycleBinResourceType,
  RecycleBinRule,
  RuleTag,
  SnapshotCoverage,
} from './types';

const DAY_MS = 24 * 60 * 60 * 1000;

function carries(tags: Tags, t: RuleTag): boolean {
  if (!Object.prototype.hasOwnProperty.call(tags, t.key)) return false;
  return t.value === undefined || tags[t.key] === t.value;
}

/** Whether this rule would retain a resource of this type with these tags. */
export function ruleCovers(rule: RecycleBinRule, type: RecycleBinResourceType, tags: Tags): boolean {
  if (rule.resourceType !== type || rule.status !== 'available') return false;
  if (rule.resourceTags.length > 0) return rule.resourceTags.some((t) => carries(tags, t));
  return !rule.excludeTags.some((t) => carries(tags, t));
}

function isLocked(rule: RecycleBinRule): boolean {
  return rule.lockState === 'locked' || rule.lockState === 'pending_unlock';
}

function preferred(a: RecycleBinRule, b: RecycleBinRule): boolean {
  if (a.retentionDays !== b.retentionDays) return a.retentionDays > b.retentionDays;
  if (isLocked(a) !== isLocked(b)) return isLocked(a);
  return a.id < b.id;
}

/** The covering rule that keeps the resource longest (ties: a locked one, then the smaller id). */
export function coverageOf(
  rules: readonly RecycleBinRule[],
  type: RecycleBinResourceType,
  tags: Tags,
  now: Date,
): Coverage {
  let best: RecycleBinRule | undefined;
  for (const rule of rules) {
    if (ruleCovers(rule, type, tags) && (best === undefined || preferred(rule, best))) best = rule;
  }
  if (best === undefined) return { covered: false };
  return {
    covered: true,
    ruleId: best.id,
    retentionDays: best.retentionDays,
    lockState: best.lockState,
    locked: isLocked(best),
    until: new Date(now.getTime() + best.retentionDays * DAY_MS),
  };
}

/**
 * An AMI's recoverability if deleted now: the AMI (EC2_IMAGE rules, its own tags) and each snapshot
 * that would go with it (EBS_SNAPSHOT rules, the snapshot's own tags: an AMI's tags are not its
 * snapshots'). The Recycle Bin retains EBS-backed AMIs only; an AMI with no EBS snapshot at all
 * (an EBS-backed one always has its root's) is taken for instance-store-backed: never covered.
 */
export function recoverabilityOf(
  image: { id: string; tags: Tags; snapshotIds: readonly string[] },
  snapshots: readonly { id: string; tags: Tags }[],
  rules: readonly RecycleBinRule[],
  now: Date,
): ImageRecoverability {
  const imageCoverage: Coverage =
    image.snapshotIds.length === 0
      ? { covered: false, why: 'it has no EBS snapshot: the Recycle Bin retains EBS-backed AMIs only' }
      : coverageOf(rules, 'EC2_IMAGE', image.tags, now);
  const snapshotCoverage: SnapshotCoverage[] = snapshots.map((s) => ({
    snapshotId: s.id,
    coverage: coverageOf(rules, 'EBS_SNAPSHOT', s.tags, now),
  }));
  const out: ImageRecoverability = { imageId: image.id, image: imageCoverage, snapshots: snapshotCoverage };
  const all = [imageCoverage, ...snapshotCoverage.map((s) => s.coverage)];
  let until: Date | undefined;
  for (const c of all) {
    if (!c.covered) return out;
    if (until === undefined || c.until.getTime() < until.getTime()) until = c.until;
  }
  if (until !== undefined) out.recoverableUntil = until;
  return out;
}

/** What no rule covers: `the AMI`, `snapshot snap-1`, … (empty when everything is covered). */
export function uncoveredParts(r: ImageRecoverability): string[] {
  const out: string[] = [];
  if (!r.image.covered) out.push(`the AMI ${r.imageId}${r.image.why ? ` (${r.image.why})` : ''}`);
  for (const s of r.snapshots) if (!s.coverage.covered) out.push(`its snapshot ${s.snapshotId}`);
  return out;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function ruleText(c: Coverage): string {
  if (!c.covered) return 'none';
  return c.locked ? `${c.ruleId} (locked)` : c.ruleId;
}

/**
 * For a deletion's reason: "recoverable from the Recycle Bin until 2026-12-15 by rule abc (image) /
 * def (snapshots)", or what no rule covers.
 */
export function describeRecoverability(r: ImageRecoverability): string {
  const missing = uncoveredParts(r);
  if (missing.length > 0) {
    return `not recoverable once deleted: no Recycle Bin retention rule covers ${missing.join(', ')}`;
  }
  const snapshotRules = [...new Set(r.snapshots.map((s) => ruleText(s.coverage)))];
  const snapshotsPart = snapshotRules.length > 0 ? ` / ${snapshotRules.join(', ')} (snapshots)` : '';
  return `recoverable from the Recycle Bin until ${day(r.recoverableUntil!)} by rule ${ruleText(r.image)} (image)${snapshotsPart}`;
}
