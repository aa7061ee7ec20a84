/**
 * Scale-to-zero's plan: the pure decision for every group and instance tagged ScaleToZero. Each
 * decision is made by the first rule of an ordered list that returns a verdict, and names it.
 */
export type * from './types';
export type { RuleInfo } from './rule';
export { DATABASE_RULES, GROUP_RULES, INSTANCE_RULES, planScale } from './plan';
export { rdsRefusal, RDS_AUTO_START_MS } from './database-facts';
export { unsafeToStop } from './instance-rules';
export {
  CAPACITY_EXPECTED,
  formatCapacity,
  formatTransitionRecord,
  parseCapacity,
  parseTransitionRecord,
  TRANSITION_EXPECTED,
  transitionValue,
} from './records';
export {
  DEFAULT_PATCH_WINDOWS,
  patchFactsFor,
  type MaintenanceWindow,
  type PatchWindowSettings,
  type WindowTarget,
} from './patch-windows';
export {
  IDLE_ADDRESSES_BASIS,
  idleAddresses,
  sleepingInstances,
  type ElasticIp,
  type SleepingInput,
} from './idle-addresses';
export { ACTION_EXPECTED, readOffAction, type OffAction } from './hibernate';
