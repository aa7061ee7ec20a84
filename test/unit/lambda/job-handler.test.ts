import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';

import type { AwsClients } from '../../../shared/aws/clients';
import type { Env } from '../../../shared/config';
import type { RunSummaryDetail } from '../../../shared/events';
import type { JobDepsOf } from '../../../shared/jobs/common';
import { createJobHandler } from '../../../shared/lambda';
import type { LogLine } from '../../../shared/report';

interface FakeSettings {
  regions: string[];
  maxAttempts: number;
}

const loadSettings = (env: Env): FakeSettings => {
  if (!env.REGIONS) throw new Error('REGIONS is not set: expected a comma-separated list of AWS regions');
  return { regions: env.REGIONS.split(','), maxAttempts: 2 };
};

function summary(region: string): RunSummaryDetail {
  return {
    function: 'tagger',
    region,
    accountId: '123456789012',
    startedAt: '2026-11-30T12:00:00Z',
    finishedAt: '2026-11-30T12:00:00Z',
    dryRun: false,
    incomplete: false,
    counts: {},
    failures: [],
    skipped: [],
  };
}

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;

describe('createJobHandler', () => {
  it('hands the job its settings, the clock, the log and a budget from the Lambda context', async () => {
    const seen: JobDepsOf<FakeSettings>[] = [];
    const logs: LogLine[] = [];
    const at = Date.parse('2026-11-30T12:00:00Z');
    const handler = createJobHandler(
      {
        name: 'tagger',
        loadSettings,
        run: async (deps) => {
          seen.push(deps);
          deps.log({ type: 'decision' });
          return { ok: true, summaries: deps.settings.regions.map(summary) };
        },
      },
      { env: { REGIONS: 'eu-west-1,us-east-1' }, clock: () => at, log: (line) => logs.push(line) },
    );
    const response = await handler({}, context(60_000));
    expect(response.summaries.map((s) => s.region)).toEqual(['eu-west-1', 'us-east-1']);
    const deps = seen[0]!;
    expect(deps.settings).toEqual({ regions: ['eu-west-1', 'us-east-1'], maxAttempts: 2 });
    expect(deps.now.toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect(deps.clock?.()).toBe(at);
    // 60 s left, 20 s kept back for reporting.
    expect(deps.budget.remainingMs()).toBe(40_000);
    expect(logs).toEqual([{ type: 'decision' }]);
  });

  it('keeps one set of clients per region across warm invocations, and its own extra clients apart', async () => {
    const clients: AwsClients[] = [];
    const extra: object[] = [];
    const made: string[] = [];
    const handler = createJobHandler(
      {
        name: 'recovery',
        loadSettings,
        extraDeps: (_settings, perRegion) => ({
          widgetFor: (region: string) => perRegion('widget', region, (r) => (made.push(r), { region: r })),
        }),
        run: async (deps) => {
          for (const region of deps.settings.regions) {
            clients.push(deps.clientsFor(region));
            extra.push(deps.widgetFor(region));
          }
          return { ok: true, summaries: [] };
        },
      },
      { env: { REGIONS: 'eu-west-1,us-east-1' } },
    );
    await handler({}, context(60_000));
    await handler({}, context(60_000));
    expect(clients[0]!.region).toBe('eu-west-1');
    expect(clients[1]!.region).toBe('us-east-1');
    expect(clients[2]).toBe(clients[0]);
    expect(clients[3]).toBe(clients[1]);
    expect(extra[2]).toBe(extra[0]);
    expect(extra[0]).not.toBe(clients[0]);
    expect(made).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('narrows the regions to those the event concerns', async () => {
    const regions: string[][] = [];
    const handler = createJobHandler(
      {
        name: 'recovery',
        loadSettings,
        regionsFor: (event, all) => ((event as { region?: string }).region ? ['us-east-1'] : [...all]),
        run: async (deps) => {
          regions.push([...deps.settings.regions]);
          return { ok: true, summaries: [] };
        },
      },
      { env: { REGIONS: 'eu-west-1,us-east-1' } },
    );
    await handler({ region: 'us-east-1' }, context(60_000));
    await handler({}, context(60_000));
    expect(regions).toEqual([['us-east-1'], ['eu-west-1', 'us-east-1']]);
  });

  it('reads the settings at every invocation: a bad setting fails that invocation with its own error', async () => {
    const env: Record<string, string | undefined> = { REGIONS: 'eu-west-1' };
    let runs = 0;
    const handler = createJobHandler(
      {
        name: 'cleanup',
        loadSettings,
        run: async () => {
          runs += 1;
          return { ok: true, summaries: [] };
        },
      },
      { env },
    );
    await handler({}, context(60_000));
    delete env.REGIONS;
    await expect(handler({}, context(60_000))).rejects.toThrow(
      'REGIONS is not set: expected a comma-separated list of AWS regions',
    );
    expect(runs).toBe(1);
  });

  it('fails the invocation when the job could read no region', async () => {
    const handler = createJobHandler({
      name: 'cleanup',
      loadSettings: () => ({ regions: ['eu-west-1'], maxAttempts: 1 }),
      run: async () => ({
        ok: false,
        summaries: [
          {
            ...summary('eu-west-1'),
            failures: [
              { resourceId: 'eu-west-1', action: 'inventory', message: 'could not read: AccessDenied' },
            ],
          },
        ],
      }),
    });
    await expect(handler({}, context(60_000))).rejects.toThrow(
      'cleanup: no region could be read (eu-west-1: could not read: AccessDenied)',
    );
  });
});
