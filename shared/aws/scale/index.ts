/**
 * Scale-to-zero's AWS I/O: the inventory of groups and instances tagged ScaleToZero, and carrying
 * out a plan's actions in batched phases.
 */
export { readScaleInventory, type ScaleInventory } from './inventory';
export { applyScaleActions, INSTANCE_BATCH, type ScaleApplyOptions } from './apply';
export type { ScaleApplyResult } from './context';
export { GROUP_TAG_BATCH } from './groups';
export { readElasticIps } from './addresses';
export { INSTANCE_BUCKETS, type InstanceBucket, type PacingOptions } from './batches';
