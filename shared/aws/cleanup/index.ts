/** Cleanup's apply step: applyCleanup carries out a CleanupPlan (see apply.ts for the order of steps). */
export { applyCleanup } from './apply';
export { DESCRIBE_IMAGE_REFERENCES_MAX_IDS } from './images';
export {
  describeImageReferencesCheck,
  mergeApplyResults,
  type ApplyOptions,
  type ApplyOutcome,
  type CleanupApplyResult,
  type CleanupWork,
  type ImageReferencesCheck,
} from './types';
export { DELETE_TAGS_MAX_RESOURCES } from './unmark';
