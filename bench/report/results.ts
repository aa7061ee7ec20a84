/** What a bench run writes to bench/results/<mode>-<time>.json, and the targets checked on it. */
import type { BundleFigures } from '../bundles';
import type { RecoveryOutcome } from '../recovery';
import type { RestoreOutcome } from '../scale-restore';
import type { SelfHealOutcome } from '../self-heal';
import type { StagedOutcome } from '../staged-cleanup';
import type { RetryComparison } from '../retry';
import type { CleanupOutcome, JobRow, ScaleOutcome } from '../scenarios';

export interface Check {
  target: string;
  pass: boolean;
  detail: string;
}

export interface BenchResults {
  mode: string;
  startedAt: string;
  model: { latencyMs: number; buckets: string };
  jobs: JobRow[];
  cleanup: CleanupOutcome[];
  scale: ScaleOutcome[];
  /** Absent in results written before the restore scenario existed. */
  restore?: RestoreOutcome[];
  /** Absent in results written before the recovery scenario existed. */
  recovery?: RecoveryOutcome[];
  /** Absent in results written before the self-heal scenario existed. */
  selfHeal?: SelfHealOutcome[];
  /** Retirement in stages (bench/staged-cleanup.ts); absent in older results. */
  staged?: StagedOutcome[];
  retry: RetryComparison[];
  bundles?: { bundles: BundleFigures[]; minimalMs: number };
  checks: Check[];
}
