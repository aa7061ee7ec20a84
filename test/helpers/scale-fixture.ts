/**
 * One set-up for the end-to-end tests of the real scale-to-zero handler: a fresh local account per
 * test, the environment a deployed function gets signed as scale-to-zero's role (every other setting
 * removed), a handler on a simulated clock, and the account's answers a test reads back.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach } from '@jest/globals';

import { makeScaleHandler } from '../../functions/scale-to-zero/handler';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import type { RegionState } from '../../sandbox/state/region';
import { DETAIL_TYPE, EVENT_SOURCE, type RunSummaryDetail } from '../../shared/events';
import type { LambdaOptions } from '../../shared/lambda';
import { fakeContext, invoke, useSandboxEnv, type HandlerRun } from './harness';

export const SCALE_REGION = 'eu-west-1';
/** The default schedule these tests use: 18:30 Berlin is the off transition, 08:00 the on one. */
export const BERLIN_OFFICE_HOURS = 'Mon-Fri 08:00-18:30 Europe/Berlin';

export type ScaleHandler = ReturnType<typeof makeScaleHandler>;
export interface GroupSizes {
  min: number;
  desired: number;
  max: number;
}

export interface ScaleFixtureOptions {
  /** Settings beside REGIONS and SCALE_DEFAULT_SCHEDULE, which they may replace or (undefined) leave out. */
  settings?: Record<string, string | undefined>;
  /** Options of every handler the fixture builds, e.g. NO_BACKOFF (the clock is the fixture's). */
  handler?: LambdaOptions;
  sandbox?: SandboxOptions;
}

export interface ScaleFixture {
  readonly sandbox: Sandbox;
  /** The handler built for this test: a cold start whose SDK clients point at this test's sandbox. */
  handler: ScaleHandler;
  /** The simulated time every handler of the fixture reads, in ms since the epoch. */
  now: number;
  region(): RegionState;
  /** A new handler on the fixture's clock (a cold start), with extra options. */
  makeHandler(options?: LambdaOptions): ScaleHandler;
  /** Moves the clock to `at` and invokes the handler (default: the fixture's) once. */
  runAt(at: string | number, handler?: ScaleHandler): Promise<HandlerRun>;
  /** Every run summary the account's event bus received, oldest first. */
  summaries(): RunSummaryDetail[];
  sizes(name: string): GroupSizes;
  /** An empty group of these sizes, tagged ScaleToZero=true. */
  addOptedInGroup(name: string, size: GroupSizes): void;
  /** EC2 and Auto Scaling clients signed as admin: the person (or adversary) beside the function. */
  personClients(): { ec2: EC2Client; autoScaling: AutoScalingClient };
}

/** Registers the per-test set-up and tear-down, and returns what the tests use. */
export function useScaleFixture(options: ScaleFixtureOptions = {}): ScaleFixture {
  let sandbox: Sandbox | undefined;
  let made: { destroy(): void }[] = [];
  const fixture: ScaleFixture = {
    get sandbox(): Sandbox {
      if (!sandbox) throw new Error('the scale fixture has no sandbox outside a test');
      return sandbox;
    },
    handler: undefined as unknown as ScaleHandler,
    now: 0,
    region: () => fixture.sandbox.state.region(SCALE_REGION),
    makeHandler: (extra = {}) => makeScaleHandler({ ...options.handler, ...extra, clock: () => fixture.now }),
    runAt: (at, handler = fixture.handler) => {
      fixture.now = typeof at === 'number' ? at : Date.parse(at);
      return invoke(handler, fakeContext());
    },
    summaries: () =>
      fixture.sandbox.state
        .eventsFrom(EVENT_SOURCE)
        .filter((e) => e.detailType === DETAIL_TYPE.runSummary)
        .map((e) => e.detail as RunSummaryDetail),
    sizes: (name) => {
      const g = fixture.region().getAutoScalingGroup(name)!;
      return { min: g.minSize, desired: g.desiredCapacity, max: g.maxSize };
    },
    addOptedInGroup: (name, size) => {
      fixture.region().addAutoScalingGroup({
        name,
        minSize: size.min,
        desiredCapacity: size.desired,
        maxSize: size.max,
        instanceIds: [],
        tags: { ScaleToZero: 'true' },
      });
    },
    personClients: () => {
      const config = {
        region: SCALE_REGION,
        endpoint: fixture.sandbox.url,
        credentials: fixture.sandbox.credentials('admin'),
      };
      const clients = { ec2: new EC2Client(config), autoScaling: new AutoScalingClient(config) };
      made.push(clients.ec2, clients.autoScaling);
      return clients;
    },
  };

  beforeEach(async () => {
    sandbox = await startSandbox(options.sandbox);
    const settings = {
      REGIONS: SCALE_REGION,
      SCALE_DEFAULT_SCHEDULE: BERLIN_OFFICE_HOURS,
      ...options.settings,
    };
    // A setting given as undefined is left out: the function's own default applies.
    const given = Object.entries(settings).filter((e): e is [string, string] => e[1] !== undefined);
    useSandboxEnv(sandbox, Object.fromEntries(given), 'scale-to-zero');
    fixture.now = 0;
    fixture.handler = fixture.makeHandler();
  });
  afterEach(async () => {
    for (const client of made) client.destroy();
    made = [];
    await sandbox?.close();
    sandbox = undefined;
  });
  return fixture;
}
