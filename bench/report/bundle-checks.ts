/** The bundles' targets: no local account inside, a quick start against a bare handler, a small zip. */
import { kb, startRatio } from './format';
import type { BenchResults, Check } from './results';

/** A handler may take at most this many times a bare handler's load (issue 17). */
export const START_RATIO_TARGET = 1.5;

export function bundleChecks(bundles: NonNullable<BenchResults['bundles']>): Check[] {
  const checks: Check[] = [];
  // The local account's policy engine is AGPL: it must never reach a function's bundle.
  const localOnly = bundles.bundles.filter((b) =>
    b.packages.some(([name]) => name.startsWith('@cloud-copilot/')),
  );
  checks.push({
    target: 'no bundle contains the local account (iam-simulate, AGPL)',
    pass: localOnly.length === 0,
    detail:
      localOnly.length === 0
        ? `${bundles.bundles.length} bundles, none with @cloud-copilot/*`
        : `in ${localOnly.map((b) => b.name).join(', ')}`,
  });
  const slow = bundles.bundles.filter((b) => !(b.loadRatio <= START_RATIO_TARGET));
  checks.push({
    target: `every bundle loads in <= ${START_RATIO_TARGET} x a bare handler's time`,
    pass: slow.length === 0,
    detail: bundles.bundles.map((b) => `${b.name} ${startRatio(b)}`).join(', '),
  });
  const largest = bundles.bundles.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
  checks.push({
    target: 'largest bundle under 1 MB zipped',
    pass: largest.zipBytes <= 1024 * 1024,
    detail: `${largest.name} ${kb(largest.zipBytes)}, of which source maps ${kb(
      Object.entries(largest.files)
        .filter(([f]) => f.endsWith('.map'))
        .reduce((n, [, x]) => n + x.zipped, 0),
    )}`,
  });
  return checks;
}
