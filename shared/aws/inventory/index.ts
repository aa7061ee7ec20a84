/**
 * The region inventory's public surface, as callers imported it from shared/aws/inventory.ts:
 * region.ts reads a region (one file per kind of resource beside it), snapshots.ts looks up
 * snapshots at deletion time, auto-scaling.ts turns a group into a record.
 */
export { readImageInventory, usageOf, type InventoryOptions, type RegionInventory } from './region';
export { lookUpOwnedSnapshots, type OwnedSnapshotsLookedUp } from './snapshots';
export { groupRecordFrom } from './auto-scaling';
/** Kept for code that still imports it from here; new code imports it from shared/errors. */
