/**
 * Bundle sizes and load times: `serverless package` (offline, nothing is deployed) into a temp dir,
 * each zip's size and what is in it, and how long `require` of each bundled handler takes in a fresh
 * node, as a ratio to a minimal handler bundled by esbuild the same way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export const BUNDLE_LIMIT_BYTES = 1024 * 1024;

export interface BundleFigures {
  name: string;
  zipBytes: number;
  /** Each file in the zip (e.g. handler.js and its source map): size and compressed size. */
  files: Record<string, { bytes: number; zipped: number }>;
  loadMs: number;
  loadRatio: number;
  /** Minified bytes per package in the handler's bundle (esbuild metafile), largest first. */
  packages: [string, number][];
}

/**
 * What the handler's bundle is made of: the same build the serverless-esbuild plugin makes (bundle,
 * minify, node22), grouped by npm package, so a size regression names its cause.
 */
function packageBytes(handlerTs: string): [string, number][] {
  const r = buildSync({
    entryPoints: [handlerTs],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    write: false,
    metafile: true,
    outfile: 'bundle.js',
  });
  const by: Record<string, number> = {};
  for (const output of Object.values(r.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'own code';
      by[name] = (by[name] ?? 0) + input.bytesInOutput;
    }
  }
  return Object.entries(by).sort((a, b) => b[1] - a[1]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Wall time of `node -e require(file)` in a fresh process (median of `reps`), minus nothing: a cold start. */
function loadTime(file: string, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'pipe' });
    if (r.status !== 0) throw new Error(`loading ${file} failed: ${r.stderr.toString().slice(0, 400)}`);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Each file in the zip with its size and its compressed size (from `unzip -v`). */
function zipEntries(zip: string): Record<string, { bytes: number; zipped: number }> {
  const out: Record<string, { bytes: number; zipped: number }> = {};
  for (const line of execFileSync('unzip', ['-v', zip]).toString().split('\n')) {
    // Length  Method  Size  Cmpr  Date  Time  CRC-32  Name
    const m = /^\s*(\d+)\s+\S+\s+(\d+)\s+\S+%\s+\S+\s+\S+\s+[0-9a-f]{8}\s+(.+)$/.exec(line);
    if (m) out[m[3]!] = { bytes: Number(m[1]), zipped: Number(m[2]) };
  }
  return out;
}

export function measureBundles(repoDir: string, reps = 5): { bundles: BundleFigures[]; minimalMs: number } {
  const work = mkdtempSync(join(tmpdir(), 'ec2-hygiene-bench-'));
  try {
    const pkgDir = join(work, 'package');
    // The package-time check refuses a notifier that would reach nobody: a placeholder address
    // (.invalid receives no mail) lets the bench measure the same bundles CI packages.
    const args = ['serverless', 'package', '--stage', 'bench', '--package', pkgDir];
    args.push('--param=notificationEmail=bench-package-check@example.invalid');
    const sls = spawnSync('npx', args, {
      cwd: repoDir,
      stdio: 'pipe',
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    if (sls.status !== 0) {
      throw new Error(
        `serverless package failed: ${(sls.stdout.toString() + sls.stderr.toString()).slice(-800)}`,
      );
    }
    const minimalSrc = join(work, 'minimal.ts');
    writeFileSync(minimalSrc, 'export const handler = async () => ({ ok: true });\n');
    const minimalOut = join(work, 'minimal.js');
    buildSync({
      entryPoints: [minimalSrc],
      outfile: minimalOut,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
    });
    const minimalMs = loadTime(minimalOut, reps);

    const bundles: BundleFigures[] = [];
    for (const zip of readdirSync(pkgDir)
      .filter((f) => f.endsWith('.zip'))
      .sort()) {
      const name = zip.replace(/\.zip$/, '');
      const zipPath = join(pkgDir, zip);
      const dir = join(work, name);
      execFileSync('unzip', ['-q', '-o', zipPath, '-d', dir]);
      const files = zipEntries(zipPath);
      const handler = Object.keys(files).find((f) => f.endsWith('.js'));
      if (!handler) throw new Error(`${zip} holds no .js file: ${Object.keys(files).join(', ')}`);
      const loadMs = loadTime(join(dir, handler), reps);
      bundles.push({
        name,
        zipBytes: statSync(zipPath).size,
        files,
        loadMs: Math.round(loadMs),
        loadRatio: Math.round((loadMs / minimalMs) * 10) / 10,
        packages: packageBytes(join(repoDir, handler.replace(/\.js$/, '.ts'))),
      });
    }
    return { bundles, minimalMs: Math.round(minimalMs) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
