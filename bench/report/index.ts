/**
 * The bench's report: what a run writes (results.ts), its targets (checks.ts, with recovery's and
 * self-heal's in fleet-checks.ts and the bundles' in bundle-checks.ts), and how it is printed and
 * compared with an earlier run (render.ts). Callers import from here.
 */
export type { BenchResults, Check } from './results';
export {
  checkTargets,
  cleanupChecks,
  floorCheck,
  FLOOR_RATIO_TARGET,
  notInBoundNote,
  unboundedActions,
} from './checks';
export { bundleChecks, START_RATIO_TARGET } from './bundle-checks';
export { recoveryCheck, selfHealCheck } from './fleet-checks';
export { checkLine } from './format';
export { renderComparison, renderResults } from './render';
