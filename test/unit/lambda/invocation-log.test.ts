/** One invocation's log: the request id on every line, LOG_LEVEL from the environment, metrics always. */
import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';

import { createJobHandler } from '../../../shared/lambda';
import { invocationLog, logLevelFrom } from '../../../shared/lambda/invocation-log';
import type { LogLine } from '../../../shared/report';

const lines = (env: Record<string, string>, requestId?: string) => {
  const out: LogLine[] = [];
  const log = invocationLog((l) => out.push(l), env, requestId);
  log({ level: 'debug', type: 'debug-line' });
  log({ level: 'info', type: 'decision', resourceId: 'ami-1', action: 'plan-keep', reason: 'in use' });
  log({ msg: 'no level: counts as info' });
  log({ level: 'warn', type: 'tag-problem' });
  log({ level: 'error', type: 'refused' });
  log({ type: 'metrics', _aws: {} });
  return out;
};

describe('invocationLog', () => {
  it('puts the request id on every line and keeps each line whole', () => {
    const out = lines({}, 'req-1');
    expect(out.every((l) => l.requestId === 'req-1')).toBe(true);
    expect(out[0]).toEqual({
      level: 'info',
      type: 'decision',
      resourceId: 'ami-1',
      action: 'plan-keep',
      reason: 'in use',
      requestId: 'req-1',
    });
  });

  it('leaves debug lines out by default, and lets them in with LOG_LEVEL=debug (any case)', () => {
    expect(lines({}).map((l) => l.type ?? l.msg)).toEqual([
      'decision',
      'no level: counts as info',
      'tag-problem',
      'refused',
      'metrics',
    ]);
    expect(lines({ LOG_LEVEL: ' DEBUG ' })).toHaveLength(6);
  });

  it('at LOG_LEVEL=error keeps the errors and the metrics line (the dashboard and alarms need it)', () => {
    expect(lines({ LOG_LEVEL: 'error' }).map((l) => l.type)).toEqual(['refused', 'metrics']);
  });

  it('a LOG_LEVEL it cannot read logs at info and says so, naming the setting, the value and what was expected', () => {
    expect(logLevelFrom({ LOG_LEVEL: 'verbose' })).toEqual({
      level: 'info',
      problem: 'LOG_LEVEL="verbose" is not valid: expected one of debug, info, warn, error; logging at info',
    });
    const out = lines({ LOG_LEVEL: 'verbose' }, 'req-2');
    expect(out[0]).toMatchObject({
      level: 'warn',
      type: 'setting-problem',
      setting: 'LOG_LEVEL',
      requestId: 'req-2',
    });
    expect(out.map((l) => l.type)).toContain('decision');
  });

  it('a line that names a level of its own it cannot read counts as info, never dropped silently at info', () => {
    const out: LogLine[] = [];
    invocationLog((l) => out.push(l), {}, undefined)({ level: 'chatty', msg: 'x' });
    expect(out).toEqual([{ level: 'chatty', msg: 'x' }]);
  });
});

describe('the job handler log', () => {
  it("gives every line of a run the invocation's request id, and reads LOG_LEVEL at each invocation", async () => {
    const logs: LogLine[] = [];
    const env: Record<string, string> = { REGIONS: 'eu-west-1' };
    const handler = createJobHandler(
      {
        name: 'tagger',
        loadSettings: (e) => ({ regions: [e.REGIONS!], maxAttempts: 1 }),
        run: async (deps) => {
          deps.log({ level: 'info', type: 'decision', resourceId: 'ami-1' });
          deps.log({ type: 'metrics', _aws: {} });
          return { ok: true, summaries: [] };
        },
      },
      { env, log: (l) => logs.push(l) },
    );
    const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 60_000 }) as Context;
    await handler({}, context('first'));
    env.LOG_LEVEL = 'warn';
    await handler({}, context('second'));
    expect(logs).toEqual([
      { level: 'info', type: 'decision', resourceId: 'ami-1', requestId: 'first' },
      { type: 'metrics', _aws: {}, requestId: 'first' },
      { type: 'metrics', _aws: {}, requestId: 'second' },
    ]);
  });
});
