/**
 * Bundle sizes and load times: `serverless package` (offline, nothing is deployed) into a temp dir,
 * each zip's size and what is in it, and how long a fresh node takes to `require` each bundled
 * handler, as a ratio to a minimal handler bundled by esbuild the same way. The ratio is taken pair by
 * pair (a bare load and a handler load back to back, in alternating order) and its median over many
 * pairs is reported: on a shared machine single timings swing by 2x, a ratio of neighbours far less.
 * The loads run on Node 22, Lambda's runtime, when it is installed (bench/node22.ts), else on the node
 * running the bench; each row says which. BENCH_BUNDLES_NODE=/path/to/node measures under another.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync, type Metafile } from 'esbuild';

import { findNode22 } from './node22';
import { packageFunctions, unpackZips } from './zips';

export const BUNDLE_LIMIT_BYTES = 1024 * 1024;

export interface BundleFigures {
  name: string;
  zipBytes: number;
  /** Each file in the zip (e.g. handler.js and its source map): size and compressed size. */
  files: Record<string, { bytes: number; zipped: number }>;
  /** Median wall time of a fresh node that requires the handler (ms). */
  loadMs: number;
  /** Median over the pairs of (handler load / bare load), each pair measured back to back. */
  loadRatio: number;
  /** The middle half of the pairs' ratios: how much the machine's load moved the figure (absent in older results). */
  loadRatioRange?: [number, number];
  /** Pairs measured (absent in older results). */
  loadPairs?: number;
  /** Minified bytes per package in the handler's bundle (esbuild metafile), largest first. */
  packages: [string, number][];
  /**
   * Bytes the runtime compiles at init: the handler file and the chunks it imports statically, not
   * those reached through import() (absent in results from before the bundles were split).
   */
  initBytes?: number;
  /** The node version that made the loads, e.g. v22.23.5 (absent in older results). */
  node?: string;
}

/**
 * What the handler's bundle is made of: the same build the serverless-esbuild plugin makes (bundle,
 * minify, node22, ES modules split into chunks), grouped by npm package, so a size regression names
 * its cause; and how much of it the runtime compiles at init (the entry and its static imports).
 */
function bundleParts(handlerTs: string): { packages: [string, number][]; initBytes: number } {
  const r = buildSync({
    entryPoints: [handlerTs],
    bundle: true,
    minify: true,
    keepNames: true,
    // As serverless.yml's custom.esbuild: the SDK's ES module build, ES module output in chunks.
    mainFields: ['module', 'main'],
    platform: 'node',
    target: 'node22',
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'handler.[name]-[hash]',
    write: false,
    metafile: true,
    outdir: 'bundle',
  });
  const by: Record<string, number> = {};
  for (const output of Object.values(r.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'own code';
      by[name] = (by[name] ?? 0) + input.bytesInOutput;
    }
  }
  return { packages: Object.entries(by).sort((a, b) => b[1] - a[1]), initBytes: initBytes(r.metafile) };
}

/**
 * The handler output's bytes plus every output it reaches by static imports (not import()). The
 * metafile gives a chunk reached by import() an entryPoint too, so the handler is found by its name.
 */
export function initBytes(metafile: Metafile): number {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((o) => /(^|\/)handler\.m?js$/.test(o));
  if (!entry) throw new Error(`no handler.mjs among ${Object.keys(outputs).join(', ')}`);
  const seen = new Set<string>();
  const visit = (o: string) => {
    if (seen.has(o) || !outputs[o]) return;
    seen.add(o);
    for (const i of outputs[o]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return [...seen].reduce((n, o) => n + outputs[o]!.bytes, 0);
}

/** The q-quantile of xs, interpolating linearly between neighbours (q = 0.5: the median). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

export const median = (xs: number[]): number => quantile(xs, 0.5);

/**
 * Wall time of one fresh node loading the file as the Lambda runtime does: `import()` for an ES
 * module (.mjs), `require` for CommonJS. A cold start of the module.
 */
function loadOnce(file: string, node = process.execPath): number {
  const code = file.endsWith('.mjs')
    ? `import(${JSON.stringify(pathToFileURL(file).href)}).catch((e) => { console.error(e); process.exit(1); })`
    : `require(${JSON.stringify(file)})`;
  const t0 = performance.now();
  const r = spawnSync(node, ['-e', code], { stdio: 'pipe' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`loading ${file} failed: ${r.stderr.toString().slice(0, 400)}`);
  return ms;
}

export interface LoadComparison {
  name: string;
  loadMs: number;
  ratio: number;
  ratioRange: [number, number];
  pairs: number;
}

/**
 * Each handler against the bare one, `pairs` times, interleaved: round by round every handler gets a
 * fresh bare load right beside it (bare first in even rounds, second in odd ones, so a drift of the
 * machine's load does not favour either), and the ratio of that pair is one sample.
 */
export function compareLoads(
  bare: string,
  handlers: { name: string; file: string }[],
  pairs: number,
  load: (file: string) => number = loadOnce,
): { bareMs: number; loads: LoadComparison[] } {
  const bareTimes: number[] = [];
  const samples = handlers.map(() => ({ ratios: [] as number[], times: [] as number[] }));
  for (let round = 0; round < pairs; round++) {
    handlers.forEach((h, i) => {
      let b: number;
      let t: number;
      if (round % 2 === 0) {
        b = load(bare);
        t = load(h.file);
      } else {
        t = load(h.file);
        b = load(bare);
      }
      bareTimes.push(b);
      samples[i]!.times.push(t);
      samples[i]!.ratios.push(t / b);
    });
  }
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return {
    bareMs: Math.round(median(bareTimes)),
    loads: handlers.map((h, i) => {
      const { ratios, times } = samples[i]!;
      return {
        name: h.name,
        loadMs: Math.round(median(times)),
        ratio: round2(median(ratios)),
        ratioRange: [round2(quantile(ratios, 0.25)), round2(quantile(ratios, 0.75))],
        pairs,
      };
    }),
  };
}

/** The node the loads run on: BENCH_BUNDLES_NODE, else Node 22 (Lambda's) when installed, else this one. */
function benchNode(): { path: string; version: string } {
  const chosen = process.env.BENCH_BUNDLES_NODE;
  if (!chosen) {
    const node22 = findNode22();
    return node22.found ? node22 : { path: process.execPath, version: process.version };
  }
  const r = spawnSync(chosen, ['--version'], { stdio: 'pipe' });
  if (r.status !== 0)
    throw new Error(`BENCH_BUNDLES_NODE=${chosen}: expected a node binary, \`--version\` failed`);
  return { path: chosen, version: r.stdout.toString().trim() };
}

/** Pairs of loads per bundle by default (quick: fewer); each pair is two fresh node processes. */
export const DEFAULT_LOAD_PAIRS = 15;

export function measureBundles(
  repoDir: string,
  pairs = DEFAULT_LOAD_PAIRS,
): { bundles: BundleFigures[]; minimalMs: number } {
  const work = mkdtempSync(join(tmpdir(), 'ec2-hygiene-bench-'));
  try {
    const pkgDir = join(work, 'package');
    // The package-time check refuses a notifier that would reach nobody: a placeholder address
    // (.invalid receives no mail) lets the bench measure the same bundles CI packages.
    packageFunctions(repoDir, pkgDir, {
      stage: 'bench',
      params: { notificationEmail: 'bench-package-check@example.invalid' },
    });
    const unpacked = unpackZips(pkgDir, work);
    // The bare handler in the handlers' own module format, loaded the same way.
    const esm = unpacked.every((u) => u.handler.endsWith('.mjs'));
    const minimalSrc = join(work, 'minimal.ts');
    writeFileSync(minimalSrc, 'export const handler = async () => ({ ok: true });\n');
    const minimalOut = join(work, esm ? 'minimal.mjs' : 'minimal.js');
    buildSync({
      entryPoints: [minimalSrc],
      outfile: minimalOut,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: esm ? 'esm' : 'cjs',
    });
    const node = benchNode();
    const { bareMs, loads } = compareLoads(minimalOut, unpacked, pairs, (file) => loadOnce(file, node.path));
    const bundles = unpacked.map((u, i): BundleFigures => {
      const load = loads[i]!;
      return {
        name: u.name,
        zipBytes: statSync(u.zipPath).size,
        files: u.files,
        loadMs: load.loadMs,
        loadRatio: load.ratio,
        loadRatioRange: load.ratioRange,
        loadPairs: load.pairs,
        node: node.version,
        ...bundleParts(join(repoDir, u.handler.replace(/\.m?js$/, '.ts'))),
      };
    });
    return { bundles, minimalMs: bareMs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
