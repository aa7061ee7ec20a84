/**
 * Which AMIs are in use, per the design's definition: anything that runs from an AMI or would
 * launch from it. Pure: the adapters read the account into UsageSources, this turns them into an
 * index the tagger and the cleanup plan share, so both apply exactly the same definition.
 *
 * A reference this module cannot turn into an AMI id (a template version that was not read, an
 * image id of the form resolve:ssm:..., a group whose launch configuration is missing) is never
 * dropped: it is returned as UnresolvedUsage, because the AMI behind it could be any AMI, and the
 * cleanup plan refuses to delete anything while such a reference exists.
 */
import type {
  AutoScalingGroupRecord,
  FleetRecord,
  LaunchTemplateRef,
  LaunchTemplateVersionRecord,
  Problem,
  UsageKind,
  UsageRef,
  UsageSources,
} from './domain';

/** A reference to an AMI whose target could not be determined; any AMI could be the one it means. */
export interface UnresolvedUsage {
  kind: UsageKind;
  /** The group, template or launch configuration holding the reference. */
  resourceId: string;
  /** What was expected and not found, e.g. "launch template lt-0ab version 7 was not read". */
  message: string;
}

export interface UsageIndex {
  /** Every reason the AMI is in use, sorted; empty when nothing uses it. */
  refsFor(imageId: string): UsageRef[];
  inUseImageIds: Set<string>;
  /** All references, sorted by image id, kind, resource id and detail. */
  refs: UsageRef[];
  /** References that could not be resolved: callers that delete must treat every AMI as possibly used. */
  unresolved: UnresolvedUsage[];
  /** The unresolved references as reportable problems (same order). */
  problems: Problem[];
}

/** An AMI id as EC2 writes it. Anything else in an image-id field names no AMI we can check. */
const AMI_ID = /^ami-[0-9a-zA-Z]+$/;

const KIND_LABEL: Record<UsageKind, string> = {
  instance: 'instance',
  'launch-template': 'launch template',
  'launch-configuration': 'launch configuration',
  'auto-scaling-group': 'auto scaling group',
  fleet: 'EC2 fleet',
  'spot-fleet': 'Spot Fleet request',
  'spot-request': 'Spot instance request',
  'ssm-parameter': 'SSM parameter',
};

/**
 * States in which a fleet or Spot request no longer launches anything (its running instances, if
 * any, count as instances). Any other state, including one this code does not know, counts as use.
 */
const FLEET_DONE = new Set(['deleted', 'deleted_running', 'deleted_terminating', 'failed']);
const SPOT_FLEET_DONE = new Set(['cancelled', 'cancelled_running', 'cancelled_terminating', 'failed']);
const SPOT_REQUEST_DONE = new Set(['closed', 'cancelled', 'failed']);

/** "instance i-0abc (stopped)", "launch template lt-0ab (web) $Default (version 3)". */
export function describeUsageRef(ref: UsageRef): string {
  return `${KIND_LABEL[ref.kind]} ${ref.resourceId} ${ref.detail}`.trim();
}

/** Up to `max` refs in words, then "and N more", for one-line reasons. */
export function describeUsageRefs(refs: readonly UsageRef[], max = 3): string {
  const shown = refs.slice(0, max).map(describeUsageRef).join(', ');
  return refs.length > max ? `${shown} and ${refs.length - max} more` : shown;
}

export interface CollectUsageOptions {
  /**
   * Values of the SSM parameters that image ids of the form resolve:ssm:NAME name, keyed by NAME
   * exactly as written after "resolve:ssm:" (including any :version or :label selector), as the
   * adapter read them (see ssmParametersReferencedBySources). A reference whose parameter is not
   * here stays unresolved.
   */
  ssmParameters?: ReadonlyMap<string, string>;
}

const SSM_PREFIX = 'resolve:ssm:';

export function collectUsage(sources: UsageSources, options: CollectUsageOptions = {}): UsageIndex {
  const refs: UsageRef[] = [];
  const unresolved = walkUsage(sources, options, (ref) => refs.push(ref));
  const sorted = dedupeAndSort(refs);
  // One exactly sized slice of the sorted list per AMI (sorted by image id, so each AMI's refs are
  // adjacent): at 100k instances, growing an array per AMI with push cost several MB of slack.
  const byImage = new Map<string, UsageRef[]>();
  for (let start = 0; start < sorted.length;) {
    const imageId = sorted[start]!.imageId;
    let end = start + 1;
    while (end < sorted.length && sorted[end]!.imageId === imageId) end++;
    byImage.set(imageId, sorted.slice(start, end));
    start = end;
  }
  const sortedUnresolved = [...unresolved].sort(
    (a, b) => cmp(a.resourceId, b.resourceId) || cmp(a.message, b.message),
  );
  return {
    refsFor: refsLookup(byImage),
    inUseImageIds: new Set(byImage.keys()),
    refs: sorted,
    unresolved: sortedUnresolved,
    problems: sortedUnresolved.map((u) => ({
      resourceId: u.resourceId,
      message: `${u.message}; any AMI could be in use through it, so cleanup deletes nothing until it is fixed`,
    })),
  };
}

/** Outside collectUsage so that the closure keeps only the index alive, not the walk's working lists. */
function refsLookup(byImage: ReadonlyMap<string, UsageRef[]>): (imageId: string) => UsageRef[] {
  return (imageId) => [...(byImage.get(imageId) ?? [])];
}

/**
 * The one walk over the sources that decides what uses which AMI: every reference goes to `onRef`
 * (unsorted, possibly repeated), and the references it could not resolve are returned. collectUsage
 * keeps the references; imageIdsReferencedBySources keeps only their ids.
 */
function walkUsage(
  sources: UsageSources,
  options: CollectUsageOptions,
  onRef: (ref: UsageRef) => void,
): UnresolvedUsage[] {
  const unresolved: UnresolvedUsage[] = [];
  const ssm = options.ssmParameters ?? new Map<string, string>();
  // "(running)", "(stopped)": one string per state rather than one per instance (100k at scale).
  const stateDetails = new Map<string, string>();

  for (const instance of sources.instances) {
    // Only terminated instances are gone for good; a stopped or shutting-down one can still run again
    // (or is still running), so it counts as use: the safe reading.
    if (instance.state.trim().toLowerCase() === 'terminated') continue;
    let detail = stateDetails.get(instance.state);
    if (detail === undefined) {
      detail = `(${instance.state})`;
      stateDetails.set(instance.state, detail);
    }
    addImage(instance.imageId, { kind: 'instance', resourceId: instance.id, detail });
  }

  const versionsByTemplate = groupVersions(sources.launchTemplateVersions, unresolved);
  for (const versions of versionsByTemplate.values()) {
    const first = versions[0]!;
    const label = templateLabel(first);
    for (const [marker, pick] of [
      ['$Default', (v: LaunchTemplateVersionRecord) => v.isDefault],
      ['$Latest', (v: LaunchTemplateVersionRecord) => v.isLatest],
    ] as const) {
      const chosen = versions.filter(pick);
      if (chosen.length !== 1) {
        // Without the version that $Default/$Latest points at, the template could launch any AMI.
        unresolved.push({
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

  // Every version of a template is a rollback target and what EC2 Fleet, Spot Fleet, Batch or
  // RunInstances --launch-template Version=N launch from, not only $Default and $Latest.
  for (const template of sources.launchTemplates ?? []) {
    if (template.unreadVersions !== undefined) {
      unresolved.push({
        kind: 'launch-template',
        resourceId: template.id,
        message: `launch template ${template.id} (${template.name}): ${template.unreadVersions}`,
      });
    }
    const n = template.newestVersionsCounted;
    const oldestCounted = n === undefined ? 1 : template.latestVersion - n + 1;
    for (const version of versionsByTemplate.get(template.id) ?? []) {
      // $Default and $Latest have their own reference above.
      if (version.isDefault || version.isLatest || version.versionNumber < oldestCounted) continue;
      if (version.imageId === undefined) continue;
      const label = templateLabel(version);
      addImage(
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

  const configsByName = new Map(sources.launchConfigurations.map((c) => [c.name, c]));
  for (const config of sources.launchConfigurations) {
    addImage(config.imageId, { kind: 'launch-configuration', resourceId: config.name, detail: '' });
  }

  for (const group of sources.autoScalingGroups) {
    const scaledToZero = group.desiredCapacity === 0 ? ', scaled to zero' : '';
    if (group.launchConfigurationName === undefined && group.launchTemplates.length === 0) {
      unresolved.push({
        kind: 'auto-scaling-group',
        resourceId: group.name,
        message: `auto scaling group ${group.name}: names neither a launch configuration nor a launch template`,
      });
    }
    if (group.launchConfigurationName !== undefined) {
      const config = configsByName.get(group.launchConfigurationName);
      if (config === undefined) {
        unresolved.push({
          kind: 'auto-scaling-group',
          resourceId: group.name,
          message:
            `auto scaling group ${group.name}: launch configuration ${group.launchConfigurationName} ` +
            `was not among the launch configurations read`,
        });
      } else {
        addImage(
          config.imageId,
          {
            kind: 'auto-scaling-group',
            resourceId: group.name,
            detail: `(launch configuration ${config.name}${scaledToZero})`,
          },
          `auto scaling group ${group.name} launch configuration ${config.name}`,
        );
      }
    }
    for (const ref of group.launchTemplates) {
      resolveGroupTemplate(group, ref, scaledToZero);
    }
  }

  for (const fleet of sources.fleets ?? []) walkFleet(fleet);

  for (const request of sources.spotInstanceRequests ?? []) {
    if (SPOT_REQUEST_DONE.has(request.state.trim().toLowerCase())) continue;
    addImage(request.imageId, {
      kind: 'spot-request',
      resourceId: request.id,
      detail: `(${request.state}, ${request.type})`,
    });
  }

  for (const parameter of sources.imageParameters ?? []) {
    const value = (parameter.value ?? '').trim();
    if (AMI_ID.test(value)) {
      onRef({
        kind: 'ssm-parameter',
        resourceId: parameter.name,
        detail: '(data type aws:ec2:image)',
        imageId: value,
      });
      continue;
    }
    // AWS checks the value of an aws:ec2:image parameter, so this is a read gone wrong: unknown.
    unresolved.push({
      kind: 'ssm-parameter',
      resourceId: parameter.name,
      message:
        parameter.value === undefined
          ? `SSM parameter ${parameter.name} (data type aws:ec2:image): its value could not be read, so the AMI it names is unknown`
          : `SSM parameter ${parameter.name} (data type aws:ec2:image) holds ${JSON.stringify(parameter.value)}, not an AMI id (expected ami-...)`,
    });
  }

  return unresolved;

  function walkFleet(fleet: FleetRecord): void {
    const state = fleet.state.trim().toLowerCase();
    const done = fleet.kind === 'fleet' ? FLEET_DONE : SPOT_FLEET_DONE;
    // An instant fleet launched once, synchronously: its instances are counted as instances.
    if (done.has(state) || fleet.type.trim().toLowerCase() === 'instant') return;
    const prefix = `${fleet.type}, `;
    const holder = `${KIND_LABEL[fleet.kind]} ${fleet.id}`;
    for (const imageId of fleet.launchSpecificationImageIds) {
      addImage(
        imageId,
        { kind: fleet.kind, resourceId: fleet.id, detail: `(${prefix}launch specification)` },
        `${holder} launch specification`,
      );
    }
    for (const config of fleet.launchTemplateConfigs) {
      const found = resolveTemplateRef(config.template, (what) =>
        unresolved.push({ kind: fleet.kind, resourceId: fleet.id, message: `${holder}: ${what}` }),
      );
      if (found !== undefined && found.version.imageId !== undefined) {
        const text = `launch template ${templateLabel(found.version)} ${found.versionText}`;
        addImage(
          found.version.imageId,
          { kind: fleet.kind, resourceId: fleet.id, detail: `(${prefix}${text})` },
          `${holder} ${text}`,
        );
      }
      const wanted = config.template.templateId ?? config.template.templateName ?? '(no id or name)';
      for (const imageId of config.overrideImageIds) {
        addImage(
          imageId,
          {
            kind: fleet.kind,
            resourceId: fleet.id,
            detail: `(${prefix}launch template ${wanted} override)`,
          },
          `${holder} launch template ${wanted} override`,
        );
      }
    }
  }

  /**
   * The version a group or fleet names, or undefined after `fail` was told why it cannot be known
   * (also undefined, without a failure, for nothing to resolve).
   */
  function resolveTemplateRef(
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
    else if (/^[1-9]\d*$/.test(version))
      matches = versions.filter((v) => v.versionNumber === Number(version));
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

  function addImage(imageId: string | undefined, ref: Omit<UsageRef, 'imageId'>, where?: string): void {
    const id = (imageId ?? '').trim();
    if (AMI_ID.test(id)) {
      // A literal in the spread's key order: spread copies measured about 20 MB more at 100k
      // references (imageId lands outside the object, in a property array of its own).
      onRef({ kind: ref.kind, resourceId: ref.resourceId, detail: ref.detail, imageId: id });
      return;
    }
    const holder = where ?? describeUsageRef({ ...ref, imageId: '' });
    const fail = (message: string) =>
      unresolved.push({ kind: ref.kind, resourceId: ref.resourceId, message: `${holder}: ${message}` });
    if (id === '') {
      fail('no image id was read for it, so the AMI it uses is unknown (expected ami-...)');
      return;
    }
    if (!id.startsWith(SSM_PREFIX)) {
      fail(`image id ${JSON.stringify(id)} is not an AMI id (expected ami-...)`);
      return;
    }
    const parameter = id.slice(SSM_PREFIX.length);
    const value = ssm.get(parameter)?.trim();
    if (value === undefined) {
      fail(`image id ${id} is an SSM parameter that was not read; the AMI it resolves to is unknown`);
    } else if (!AMI_ID.test(value)) {
      fail(`SSM parameter ${parameter} holds ${JSON.stringify(value)}, not an AMI id (expected ami-...)`);
    } else {
      const detail = ref.detail
        ? `${ref.detail} via SSM parameter ${parameter}`
        : `(via SSM parameter ${parameter})`;
      onRef({ kind: ref.kind, resourceId: ref.resourceId, detail, imageId: value });
    }
  }

  function resolveGroupTemplate(group: AutoScalingGroupRecord, ref: LaunchTemplateRef, scaledToZero: string) {
    const found = resolveTemplateRef(ref, (what) =>
      unresolved.push({
        kind: 'auto-scaling-group',
        resourceId: group.name,
        message: `auto scaling group ${group.name}: ${what}`,
      }),
    );
    // A version without an image launches nothing by itself: no AMI in use through it.
    if (found === undefined || found.version.imageId === undefined) return;
    const label = templateLabel(found.version);
    addImage(
      found.version.imageId,
      {
        kind: 'auto-scaling-group',
        resourceId: group.name,
        detail: `(launch template ${label} ${found.versionText}${scaledToZero})`,
      },
      `auto scaling group ${group.name} launch template ${label} ${found.versionText}`,
    );
  }
}

/**
 * The AMI ids something runs from or would launch from: the ids the adapter should describe.
 * Pass the same options as to collectUsage so AMIs behind SSM parameters are included.
 */
export function imageIdsReferencedBySources(
  sources: UsageSources,
  options: CollectUsageOptions = {},
): string[] {
  // Only the ids: the full index (100k references, sorted and deduplicated) would be built here
  // and again by the caller's collectUsage, both alive at the tagger's peak.
  const ids = new Set<string>();
  walkUsage(sources, options, (ref) => ids.add(ref.imageId));
  return [...ids].sort(cmp);
}

/**
 * The SSM parameters (NAME as written after "resolve:ssm:", selector included) that image ids in
 * the sources name, sorted: what the adapter should read (ssm:GetParameters) before collectUsage.
 * Includes every launch template version read, which is a superset of the ones that count.
 */
export function ssmParametersReferencedBySources(sources: UsageSources): string[] {
  const ids = [
    ...sources.instances.map((i) => i.imageId),
    ...sources.launchTemplateVersions.map((v) => v.imageId ?? ''),
    ...sources.launchConfigurations.map((c) => c.imageId),
    ...(sources.fleets ?? []).flatMap((f) => [
      ...f.launchSpecificationImageIds,
      ...f.launchTemplateConfigs.flatMap((c) => c.overrideImageIds),
    ]),
    ...(sources.spotInstanceRequests ?? []).map((r) => r.imageId),
  ].map((id) => id.trim());
  const names = ids.filter((id) => id.startsWith(SSM_PREFIX)).map((id) => id.slice(SSM_PREFIX.length));
  return [...new Set(names)].sort(cmp);
}

/**
 * Versions by template id, each version once. The adapter reads $Default/$Latest and the versions
 * groups pin separately, so the same version can arrive twice: that is merged, not mistaken for two
 * $Default versions. Two reads of one version that disagree on the image are a real conflict.
 */
function groupVersions(versions: readonly LaunchTemplateVersionRecord[], unresolved: UnresolvedUsage[]) {
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

function templateLabel(v: LaunchTemplateVersionRecord): string {
  return v.templateName ? `${v.templateId} (${v.templateName})` : v.templateId;
}

function nameSuffix(v: LaunchTemplateVersionRecord): string {
  return v.templateName ? `(${v.templateName}) ` : '';
}

/**
 * Sorted, then equal neighbours dropped: the same result as keying every reference by its fields,
 * without a 100k-entry map of key strings at the tagger's peak. Sorts `refs` in place.
 */
function dedupeAndSort(refs: UsageRef[]): UsageRef[] {
  const order = (a: UsageRef, b: UsageRef) =>
    cmp(a.imageId, b.imageId) ||
    cmp(a.kind, b.kind) ||
    cmp(a.resourceId, b.resourceId) ||
    cmp(a.detail, b.detail);
  refs.sort(order);
  const out: UsageRef[] = [];
  for (const r of refs) {
    if (out.length === 0 || order(out[out.length - 1]!, r) !== 0) out.push(r);
  }
  return out;
}

/** Code-unit order, not locale order: the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
