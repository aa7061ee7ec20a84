/**
 * One set-up for the end-to-end tests of the real cleanup handler: one local account for the test
 * file (each test seeds its own region or its own AMIs), injected faults cleared after every test,
 * and a run signed as cleanup's role with every other setting removed.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals';

import { handler as deployedHandler, makeCleanupHandler } from '../../functions/cleanup/handler';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import type { RegionState } from '../../sandbox/state/region';
import type { ImageSeed } from '../../sandbox/state/seeds';
import { DAY, invoke, MINUTE, stamp, useSandboxEnv, type HandlerRun } from './harness';

export type CleanupHandler = ReturnType<typeof makeCleanupHandler>;

export interface CleanupFixtureOptions {
  /** The handler every run invokes (default: the deployed one, with the SDK's own backoff). */
  handler?: CleanupHandler;
  /** Settings of every run beside REGIONS and DRY_RUN=false (which they may replace). */
  settings?: Record<string, string>;
}

export interface CleanupFixture {
  readonly sandbox: Sandbox;
  /** One cleanup run over `regionName`, deleting for real unless the settings say DRY_RUN=true. */
  run(regionName: string, settings?: Record<string, string>, handler?: CleanupHandler): Promise<HandlerRun>;
}

/** Registers the file's set-up and tear-down, and returns what the tests use. */
export function useCleanupFixture(options: CleanupFixtureOptions = {}): CleanupFixture {
  let sandbox: Sandbox | undefined;
  const fixture: CleanupFixture = {
    get sandbox(): Sandbox {
      if (!sandbox) throw new Error('the cleanup fixture has no sandbox outside its tests');
      return sandbox;
    },
    run: (regionName, settings = {}, handler = options.handler ?? deployedHandler) => {
      const all = { REGIONS: regionName, DRY_RUN: 'false', ...options.settings, ...settings };
      useSandboxEnv(fixture.sandbox, all, 'cleanup');
      return invoke(handler);
    },
  };
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  afterEach(() => {
    sandbox?.faults.clear();
  });
  return fixture;
}

export interface EligibleImageSeed extends ImageSeed {
  /** The time the ages count back from (default: now). */
  now?: number;
}

/**
 * An AMI every safety rule allows deleting: opted in, unused for 30 days, created 90 days ago, the
 * tagger seen 5 minutes ago. `tags` add to (or replace) those tags; the rest of the seed as given.
 */
export function addEligibleImage(region: RegionState, name: string, seed: EligibleImageSeed = {}) {
  const { now = Date.now(), tags = {}, ...rest } = seed;
  return region.addImage({
    name,
    creationDate: stamp(90 * DAY, now),
    ...rest,
    tags: {
      AutoCleanup: 'true',
      LastUsed: stamp(30 * DAY, now),
      LastUsedRuntime: stamp(5 * MINUTE, now),
      ...tags,
    },
  });
}
