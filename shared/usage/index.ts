/**
 * Which AMIs are in use, per the design's definition: anything that runs from an AMI or would
 * launch from it. Pure: the adapters read the account into UsageSources, this turns them into an
 * index the tagger and the cleanup plan share, so both apply exactly the same definition.
 *
 * A reference this module cannot turn into an AMI id (a template version that was not read, an
 * image id of the form resolve:ssm:..., a group whose launch configuration is missing) is never
 * dropped: it is returned as UnresolvedUsage, because the AMI behind it could be any AMI, and the
 * cleanup plan refuses to delete anything while such a reference exists.
 *
 * The public surface, as callers imported it from shared/usage.ts: collect.ts builds the index,
 * walk.ts and its step files decide what uses which AMI, describe.ts puts references in words.
 */
export { collectUsage, imageIdsReferencedBySources, ssmParametersReferencedBySources } from './collect';
export { describeUsageRef, describeUsageRefs } from './describe';
export type { CollectUsageOptions, UnresolvedUsage, UsageIndex } from './types';
