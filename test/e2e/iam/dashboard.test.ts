/**
 * The packaged dashboard and alarms against the metrics the functions really emit: a widget or an
 * alarm naming a metric nobody writes would show "no data" (or alarm on it) forever.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';

import { resolveIntrinsics, type StackContext } from '../../../sandbox/iam/cfn';
import { printStack } from '../../../sandbox/iam/stack';
import type { FunctionName } from '../../../shared/events';
import { METRICS, METRICS_NAMESPACE } from '../../../shared/metrics';

const REGION = 'eu-west-1';

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: { metrics?: unknown[][]; region?: string };
}

let resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
let service: string;
let stage: string;

beforeAll(async () => {
  const config = await printStack({ region: REGION });
  service = config.service;
  stage = config.provider.stage;
  const context: StackContext = {
    accountId: '123456789012',
    region: REGION,
    partition: 'aws',
    stackName: `${service}-${stage}`,
    resources: config.resources.Resources,
    conditions: config.resources.Conditions ?? {},
  };
  resources = {};
  for (const [id, r] of Object.entries(config.resources.Resources)) {
    const type = (r as { Type: string }).Type;
    if (type === 'AWS::CloudWatch::Dashboard' || type === 'AWS::CloudWatch::Alarm') {
      resources[id] = resolveIntrinsics(r, context) as (typeof resources)[string];
    }
  }
}, 120_000);

const emitted = (fn: string): Set<string> => new Set((METRICS[fn as FunctionName] ?? []).map((m) => m.name));

/** A metric widget's entry as [namespace, name, dimension pairs]; "." (repeat) is not used here. */
function parseEntry(entry: unknown[]): { namespace: string; name: string; dims: Record<string, string> } {
  const [namespace, name, ...rest] = entry;
  const dims: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) dims[String(rest[i])] = String(rest[i + 1]);
  return { namespace: String(namespace), name: String(name), dims };
}

describe('the fleet dashboard', () => {
  function widgets(): Widget[] {
    const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = dashboards[0]!.Properties.DashboardBody;
    expect(typeof body).toBe('string');
    return (JSON.parse(body as string) as { widgets: Widget[] }).widgets;
  }

  it('is named per stage and region (dashboard names are per account, not per region)', () => {
    const d = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    expect(d.Properties.DashboardName).toBe(`${service}-${stage}-${REGION}`);
  });

  it('names only metrics the function in its Function dimension emits, in this region', () => {
    const entries = widgets().flatMap((w) => (w.properties.metrics ?? []).map(parseEntry));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect({
        ...e,
        ok: e.namespace === METRICS_NAMESPACE && emitted(e.dims.Function ?? '').has(e.name),
      }).toEqual({ ...e, ok: true });
      expect(Object.keys(e.dims).sort()).toEqual(['Function', 'Region']);
      expect(e.dims.Region).toBe(REGION);
    }
  });

  it('shows every metric every function emits, one row per function', () => {
    const ws = widgets();
    const shown = new Set(
      ws.flatMap((w) =>
        (w.properties.metrics ?? []).map(parseEntry).map((e) => `${e.dims.Function}/${e.name}`),
      ),
    );
    const expected = Object.entries(METRICS).flatMap(([fn, ms]) => ms.map((m) => `${fn}/${m.name}`));
    expect(expected.filter((k) => !shown.has(k))).toEqual([]);
    // A row: every metric widget on the same y names one function only, and each function has one row.
    const rowOf = new Map<string, number>();
    for (const w of ws.filter((x) => x.type === 'metric')) {
      const fns = new Set((w.properties.metrics ?? []).map(parseEntry).map((e) => e.dims.Function));
      expect(fns.size).toBe(1);
      const fn = [...fns][0]!;
      expect(rowOf.get(fn) ?? w.y).toBe(w.y);
      rowOf.set(fn, w.y);
    }
    expect([...rowOf.keys()].sort()).toEqual(Object.keys(METRICS).sort());
    expect(new Set(rowOf.values()).size).toBe(rowOf.size);
  });

  it('lays the widgets out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const w of widgets()) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });
});

describe('the fleet health alarms', () => {
  const own = () =>
    Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r).includes(METRICS_NAMESPACE),
    );

  it('alarm on metrics the function emits, under the stack prefix the notifier forwards', () => {
    const alarms = own();
    expect(alarms.map(([id]) => id).sort()).toEqual([
      'CleanupRefusedAlarm',
      'TaggerNotRunningAlarm',
      'TaggerStaleAlarm',
    ]);
    for (const [, a] of alarms) {
      expect(String(a.Properties.AlarmName).startsWith(`${service}-${stage}-`)).toBe(true);
      const stats = (
        a.Properties.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[] | undefined
      )?.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : [])) ?? [a.Properties];
      for (const m of stats) {
        const dims = Object.fromEntries(
          (m.Dimensions as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]),
        );
        expect(m.Namespace).toBe(METRICS_NAMESPACE);
        expect(dims.Region).toBe(REGION);
        expect(emitted(dims.Function!).has(String(m.MetricName))).toBe(true);
      }
    }
  });

  it('tagger: stale past the freshness window (in minutes), silent for an hour counts as breaching', () => {
    const stale = resources.TaggerStaleAlarm!.Properties;
    expect(stale.Threshold).toBe(60);
    expect(stale.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(stale.Metrics).toContainEqual(
      expect.objectContaining({ Expression: 'age / 60', ReturnData: true }),
    );
    const silent = resources.TaggerNotRunningAlarm!.Properties;
    expect(silent).toMatchObject({
      MetricName: 'Runs',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('cleanup: refused on two daily periods in a row', () => {
    expect(resources.CleanupRefusedAlarm!.Properties).toMatchObject({
      MetricName: 'CleanupRefused',
      Period: 86400,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});
