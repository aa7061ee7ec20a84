import type { LaunchTemplateVersionRecord, UsageRef } from '../domain';
import { describeUsageRef } from './describe';
import { AMI_ID, SSM_PREFIX, type UnresolvedUsage } from './types';

/** What every step of the walk writes to: the references found and the ones it could not resolve. */
export interface UsageSink {
  /** Every reference, unsorted and possibly repeated. */
  onRef: (ref: UsageRef) => void;
  unresolved: UnresolvedUsage[];
  /** Values of the resolve:ssm: parameters the adapter read, keyed by NAME. */
  ssm: ReadonlyMap<string, string>;
}

/** The sink plus the launch template versions read, by template id, each version once. */
export interface UsageWalk extends UsageSink {
  versionsByTemplate: ReadonlyMap<string, LaunchTemplateVersionRecord[]>;
}

/**
 * One image id a resource holds, as a reference to its AMI: a literal AMI id, or resolve:ssm:NAME
 * through the parameter's value. Anything else is unresolved, described by `where` (or the ref).
 */
export function addImage(
  sink: UsageSink,
  imageId: string | undefined,
  ref: Omit<UsageRef, 'imageId'>,
  where?: string,
): void {
  const id = (imageId ?? '').trim();
  if (AMI_ID.test(id)) {
    // A literal in the spread's key order, not a spread copy: a copy stores imageId outside the
    // object's own shape, which costs memory on every one of the tagger's references.
    sink.onRef({ kind: ref.kind, resourceId: ref.resourceId, detail: ref.detail, imageId: id });
    return;
  }
  const holder = where ?? describeUsageRef({ ...ref, imageId: '' });
  const fail = (message: string) =>
    sink.unresolved.push({ kind: ref.kind, resourceId: ref.resourceId, message: `${holder}: ${message}` });
  if (id === '') {
    fail('no image id was read for it, so the AMI it uses is unknown (expected ami-...)');
    return;
  }
  if (!id.startsWith(SSM_PREFIX)) {
    fail(`image id ${JSON.stringify(id)} is not an AMI id (expected ami-...)`);
    return;
  }
  const parameter = id.slice(SSM_PREFIX.length);
  const value = sink.ssm.get(parameter)?.trim();
  if (value === undefined) {
    fail(`image id ${id} is an SSM parameter that was not read; the AMI it resolves to is unknown`);
  } else if (!AMI_ID.test(value)) {
    fail(`SSM parameter ${parameter} holds ${JSON.stringify(value)}, not an AMI id (expected ami-...)`);
  } else {
    const detail = ref.detail
      ? `${ref.detail} via SSM parameter ${parameter}`
      : `(via SSM parameter ${parameter})`;
    sink.onRef({ kind: ref.kind, resourceId: ref.resourceId, detail, imageId: value });
  }
}
