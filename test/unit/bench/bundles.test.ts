/** The bench's start ratio: bare and handler loads in back-to-back pairs, the median of the pairs' ratios. */
import { describe, expect, it } from '@jest/globals';

import type { Metafile } from 'esbuild';

import { compareLoads, initBytes, median, quantile, type BundleFigures } from '../../../bench/bundles';
import { checkTargets, START_RATIO_TARGET } from '../../../bench/report';

describe('the bundles start ratio', () => {
  it('pairs each handler load with a bare load beside it, alternating which goes first', () => {
    const order: string[] = [];
    compareLoads('bare', [{ name: 'tagger', file: 'tagger.js' }], 4, (file) => {
      order.push(file);
      return 10;
    });
    expect(order).toEqual([
      'bare',
      'tagger.js',
      'tagger.js',
      'bare',
      'bare',
      'tagger.js',
      'tagger.js',
      'bare',
    ]);
  });

  it('takes the median of the ratios, so a pair slowed by the machine does not move it', () => {
    // The machine slows down for a while: bare and handler slow down together, then one pair is hit alone.
    const times: Record<string, number[]> = {
      bare: [40, 80, 40, 40, 40],
      'tagger.js': [50, 100, 50, 200, 50],
    };
    const { loads, bareMs } = compareLoads('bare', [{ name: 'tagger', file: 'tagger.js' }], 5, (file) =>
      times[file]!.shift()!,
    );
    expect(loads[0]).toEqual({ name: 'tagger', loadMs: 50, ratio: 1.25, ratioRange: [1.25, 1.25], pairs: 5 });
    expect(bareMs).toBe(40);
  });

  it('median and quantiles interpolate between neighbours', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
  });

  it(`fails the bench when any bundle loads in more than ${START_RATIO_TARGET}x a bare handler's time`, () => {
    const bundle = (name: string, loadRatio: number): BundleFigures => ({
      name,
      zipBytes: 100_000,
      files: {},
      loadMs: 60,
      loadRatio,
      loadRatioRange: [loadRatio - 0.1, loadRatio + 0.1],
      loadPairs: 15,
      packages: [],
    });
    const results = (...ratios: number[]) =>
      checkTargets({
        mode: 'bundles',
        startedAt: '2026-12-01T14:00:00Z',
        model: { latencyMs: 20, buckets: '' },
        jobs: [],
        cleanup: [],
        scale: [],
        retry: [],
        bundles: { bundles: ratios.map((r, i) => bundle(`f${i}`, r)), minimalMs: 40 },
      }).find((c) => c.target.startsWith('every bundle loads'))!;
    expect(results(1.2, 1.5).pass).toBe(true);
    const failed = results(1.2, 1.51);
    expect(failed.pass).toBe(false);
    expect(failed.detail).toContain('f1 1.51x (1.41-1.61, 15 pairs)');
  });

  it('says which node measured the start ratio when the results know it', () => {
    const detail = checkTargets({
      mode: 'bundles',
      startedAt: '2026-12-01T14:00:00Z',
      model: { latencyMs: 20, buckets: '' },
      jobs: [],
      cleanup: [],
      scale: [],
      retry: [],
      bundles: {
        bundles: [
          {
            name: 'tagger',
            zipBytes: 100_000,
            files: {},
            loadMs: 60,
            loadRatio: 1.2,
            loadRatioRange: [1.1, 1.3],
            loadPairs: 15,
            packages: [],
            node: 'v22.23.5',
          },
        ],
        minimalMs: 40,
      },
    }).find((c) => c.target.startsWith('every bundle loads'))!.detail;
    expect(detail).toBe('tagger 1.2x (1.1-1.3, 15 pairs, node v22.23.5)');
  });

  it('counts as compiled at init the handler and its static imports, not what import() reaches', () => {
    const out = (
      bytes: number,
      imports: [string, 'import-statement' | 'dynamic-import'][],
      entryPoint?: string,
    ) => ({
      bytes,
      inputs: {},
      exports: [],
      imports: imports.map(([path, kind]) => ({ path, kind })),
      ...(entryPoint ? { entryPoint } : {}),
    });
    const metafile = {
      inputs: {},
      outputs: {
        // import() targets carry an entryPoint as well: listed first, it must not be taken for the handler.
        'out/handler.tagger-AB.mjs': out(
          900_000,
          [['out/handler.chunk-C.mjs', 'import-statement']],
          'shared/jobs/tagger.ts',
        ),
        'out/handler.mjs': out(
          7_000,
          [
            ['out/handler.chunk-C.mjs', 'import-statement'],
            ['out/handler.tagger-AB.mjs', 'dynamic-import'],
            ['node:stream', 'import-statement'],
          ],
          'functions/tagger/handler.ts',
        ),
        'out/handler.chunk-C.mjs': out(300, [['out/handler.chunk-D.mjs', 'import-statement']]),
        'out/handler.chunk-D.mjs': out(50, []),
      },
    } as unknown as Metafile;
    expect(initBytes(metafile)).toBe(7_350);
  });
});
