/**
 * The settings the bench's tagger and cleanup runs start from, in the child (bench/child-main.ts)
 * and on the virtual clock (bench/virtual-clock.ts, bench/staged-cleanup.ts); each run overrides
 * only what its scenario is about (the cap of deletions, the graces of a staged retirement).
 */
import { DEFAULT_MAX_ATTEMPTS } from '../shared/aws/clients';
import type { Settings } from '../shared/config';
import { REGION } from './account';

export function benchSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    regions: [REGION],
    retentionDays: 7,
    // The drain's runs are a simulated minute apart and no tagger runs between them.
    freshnessMinutes: 24 * 60,
    dryRun: false,
    eventBusName: 'default',
    // Off (the product's default is on): the bench's bounds (bench/bounds.ts) count no
    // DescribeImageReferences call, so the figures stay comparable with earlier runs.
    checkImageReferences: false,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    ...overrides,
  };
}
