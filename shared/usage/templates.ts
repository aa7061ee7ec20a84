/** Launch template versions: merging what was read, resolving what a group or fleet names, and their own use. */
import type { LaunchTemplateRecord, LaunchTemplateRef, LaunchTemplateVersionRecord } from '../domain';
import { addImage, type UsageWalk } from './refs';
import { cmp, type UnresolvedUsage } from './types';

/**
 * Versions by template id, each version once. The adapter reads $Default/$Latest and the versions
 * groups pin separately, so the same version can arrive twice: that is merged, not mistaken for two
 * $Default versions. Two reads of one version that disagree on the image are a real conflict.
 */
export function groupVersions(
  versions: readonly LaunchTemplateVersionRecord[],
  unresolved: UnresolvedUsage[],
): Map<string, LaunchTemplateVersionRecord[]> {
  const byKey = new Map<string, LaunchTemplateVersionRecord>();
  for (const v of versions) {
    const key = `${v.templateId}#${v.versionNumber}`;
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, { ...v });
      continue;
    }
    if ((seen.imageId ?? '') !== (v.imageId ?? '')) {
      unresolved.push({
        kind: 'launch-template',
        resourceId: v.templateId,
        message:
          `launch template ${templateLabel(v)} version ${v.versionNumber} was read twice with different ` +
          `images (${seen.imageId ?? 'none'} and ${v.imageId ?? 'none'})`,
      });
    }
    seen.isDefault ||= v.isDefault;
    seen.isLatest ||= v.isLatest;
  }
  const byTemplate = new Map<string, LaunchTemplateVersionRecord[]>();
  for (const v of [...byKey.values()].sort(
    (a, b) => cmp(a.templateId, b.templateId) || a.versionNumber - b.versionNumber,
  )) {
    const list = byTemplate.get(v.templateId) ?? [];
    list.push(v);
    byTemplate.set(v.templateId, list);
  }
  return byTemplate;
}

/** Each template's $Default and $Latest version: what a launch names when it names no version. */
export function walkDefaultAndLatestVersions(walk: UsageWalk): void {
  for (const versions of walk.versionsByTemplate.values()) {
    const first = versions[0]!;
    const label = templateLabel(first);
    for (const [marker, pick] of [
      ['$Default', (v: LaunchTemplateVersionRecord) => v.isDefault],
      ['$Latest', (v: LaunchTemplateVersionRecord) => v.isLatest],
    ] as const) {
      const chosen = versions.filter(pick);
      if (chosen.length !== 1) {
        // Without the version that $Default/$Latest points at, the template could launch any AMI.
        walk.unresolved.push({
          kind: 'launch-template',
          resourceId: first.templateId,
          message:
            `launch template ${label}: expected exactly one ${marker} version among the versions read, ` +
            `found ${chosen.length}`,
        });
        continue;
      }
      const version = chosen[0]!;
      if (version.imageId === undefined) continue; // a version without an image launches nothing by itself
      addImage(
        walk,
        version.imageId,
        {
          kind: 'launch-template',
          resourceId: first.templateId,
          detail: `${nameSuffix(first)}${marker} (version ${version.versionNumber})`.trim(),
        },
        `launch template ${label} ${marker} (version ${version.versionNumber})`,
      );
    }
  }
}

/**
 * Every other version that counts (all, or the newest N): each is a rollback target and what EC2
 * Fleet, Spot Fleet, Batch or RunInstances --launch-template Version=N launch from.
 */
export function walkOtherTemplateVersions(walk: UsageWalk, templates: readonly LaunchTemplateRecord[]): void {
  for (const template of templates) {
    if (template.unreadVersions !== undefined) {
      walk.unresolved.push({
        kind: 'launch-template',
        resourceId: template.id,
        message: `launch template ${template.id} (${template.name}): ${template.unreadVersions}`,
      });
    }
    const n = template.newestVersionsCounted;
    const oldestCounted = n === undefined ? 1 : template.latestVersion - n + 1;
    for (const version of walk.versionsByTemplate.get(template.id) ?? []) {
      // $Default and $Latest have their own reference (walkDefaultAndLatestVersions).
      if (version.isDefault || version.isLatest || version.versionNumber < oldestCounted) continue;
      if (version.imageId === undefined) continue;
      const label = templateLabel(version);
      addImage(
        walk,
        version.imageId,
        {
          kind: 'launch-template',
          resourceId: version.templateId,
          detail: `${nameSuffix(version)}version ${version.versionNumber}`.trim(),
        },
        `launch template ${label} version ${version.versionNumber}`,
      );
    }
  }
}

/**
 * The version a group or fleet names, or undefined after `fail` was told why it cannot be known
 * (also undefined, without a failure, for nothing to resolve).
 */
export function resolveTemplateRef(
  versionsByTemplate: UsageWalk['versionsByTemplate'],
  ref: LaunchTemplateRef,
  fail: (what: string) => void,
): { version: LaunchTemplateVersionRecord; versionText: string } | undefined {
  const wanted = ref.templateId ?? ref.templateName ?? '(no id or name)';
  const versions =
    (ref.templateId !== undefined
      ? versionsByTemplate.get(ref.templateId)
      : [...versionsByTemplate.values()].find((v) => v[0]!.templateName === ref.templateName)) ?? [];
  // AWS launches from $Default when no version is named.
  const version = ref.version.trim() || '$Default';
  const failWith = (what: string) => fail(`launch template ${wanted} version ${version}: ${what}`);
  if (versions.length === 0) {
    failWith('the template was not among the launch templates read');
    return undefined;
  }
  let matches: LaunchTemplateVersionRecord[];
  if (version === '$Default') matches = versions.filter((v) => v.isDefault);
  else if (version === '$Latest') matches = versions.filter((v) => v.isLatest);
  else if (/^[1-9]\d*$/.test(version)) matches = versions.filter((v) => v.versionNumber === Number(version));
  else {
    failWith('expected $Default, $Latest or a version number');
    return undefined;
  }
  if (matches.length !== 1) {
    failWith(`expected exactly one such version among the versions read, found ${matches.length}`);
    return undefined;
  }
  const found = matches[0]!;
  const versionText = version.startsWith('$')
    ? `${version} (version ${found.versionNumber})`
    : `version ${version}`;
  return { version: found, versionText };
}

export function templateLabel(v: LaunchTemplateVersionRecord): string {
  return v.templateName ? `${v.templateId} (${v.templateName})` : v.templateId;
}

function nameSuffix(v: LaunchTemplateVersionRecord): string {
  return v.templateName ? `(${v.templateName}) ` : '';
}
