import type { Problem, UsageKind, UsageRef } from '../domain';

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

export interface CollectUsageOptions {
  /**
   * Values of the SSM parameters that image ids of the form resolve:ssm:NAME name, keyed by NAME
   * exactly as written after "resolve:ssm:" (including any :version or :label selector), as the
   * adapter read them (see ssmParametersReferencedBySources). A reference whose parameter is not
   * here stays unresolved.
   */
  ssmParameters?: ReadonlyMap<string, string>;
}

/** An AMI id as EC2 writes it. Anything else in an image-id field names no AMI we can check. */
export const AMI_ID = /^ami-[0-9a-zA-Z]+$/;

export const SSM_PREFIX = 'resolve:ssm:';

/** Code-unit order, not locale order: the same on every machine. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
