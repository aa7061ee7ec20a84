/**
 * The notifier's EventBridge rules (functions/notifier/function.yml) against the sample events: every
 * failure a normaliser handles reaches the notifier, and the non-failures its rules can tell apart do
 * not invoke it at all. A small matcher implements the parts of EventBridge's pattern language the
 * rules use (lists of values, anything-but, nested detail fields, arrays in the event).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { normaliseEvent } from '../../../../shared/notify';
import { fixture, fixtureNames } from '../../../helpers/notifier-fixtures';

// js-yaml comes with serverless (which reads this file the same way); v3 API, no types shipped.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as {
  Type: new (tag: string, options: { kind: string; construct: (data: unknown) => unknown }) => unknown;
  Schema: { create(types: unknown[]): unknown };
  safeLoad(text: string, options: { schema: unknown }): unknown;
};

type Pattern = Record<string, unknown>;

function loadRules(): Pattern[] {
  const text = readFileSync(
    join(__dirname, '..', '..', '..', '..', 'functions', 'notifier', 'function.yml'),
    'utf8',
  )
    // The alarm states as deployed by default (alarmOnInsufficientData=false, serverless.yml custom).
    .replace(/\$\{self:custom\.notifierAlarmStates\.\$\{param:[^}]*\}\}/g, '[ALARM, OK]')
    .replace(/\$\{self:service\}/g, 'ec2-hygiene')
    .replace(/\$\{sls:stage\}/g, 'prod')
    .replace(/\$\{param:eventBusName, 'default'\}/g, 'default');
  const cfTag = (tag: string) =>
    new yaml.Type(tag, { kind: 'scalar', construct: (d) => `${tag} ${String(d)}` });
  const schema = yaml.Schema.create([cfTag('!Ref'), cfTag('!GetAtt'), cfTag('!Sub')]);
  const doc = yaml.safeLoad(text, { schema }) as {
    notifier: { events: { eventBridge?: { pattern: Pattern } }[] };
  };
  // The weekly digest's schedule is not an event rule: it sends its own input, not a matched event.
  return doc.notifier.events.flatMap((e) => (e.eventBridge ? [e.eventBridge.pattern] : []));
}

function matchesValue(allowed: unknown[], actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return values.some((v) =>
    allowed.some((a) => {
      if (a !== null && typeof a === 'object' && 'anything-but' in a) {
        const but = (a as { 'anything-but': unknown })['anything-but'];
        return v !== undefined && !(Array.isArray(but) ? but : [but]).includes(v);
      }
      return a === v;
    }),
  );
}

function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    const actual = event[key];
    if (Array.isArray(want)) return matchesValue(want, actual);
    if (want !== null && typeof want === 'object') {
      return (
        actual !== null &&
        typeof actual === 'object' &&
        matches(want as Pattern, actual as Record<string, unknown>)
      );
    }
    throw new Error(`rule field ${key} is neither a list nor an object: ${JSON.stringify(want)}`);
  });
}

const RULES = loadRules();
const invoked = (name: string) =>
  RULES.some((r) => matches(r, fixture(name) as unknown as Record<string, unknown>));

describe("the notifier's EventBridge rules", () => {
  it('every sample failure event with a normaliser invokes the notifier', () => {
    const missed = fixtureNames().filter((name) => {
      const event = fixture(name);
      const normalised = normaliseEvent(event, { ignoreAlarmNames: ['ec2-hygiene-prod-notifier-errors'] });
      // The generic fallback is for events no rule asks for (they can only come from a wider rule).
      const handled = normalised.kind === 'notify' && !name.startsWith('unknown-ec2-instance');
      return handled && !invoked(name);
    });
    expect(missed).toEqual([]);
  });

  it.each([
    'ebs-snapshot-failed',
    'ebs-multi-volume-snapshots-failed',
    'codedeploy-deployment-failed',
    'ssm-compliance-non-compliant',
    'unknown-ec2-spot-interruption',
    'ec2-rebalance-recommendation',
    'cloudwatch-alarm-ok',
  ])('%s invokes the notifier', (name) => {
    expect(invoked(name)).toBe(true);
  });

  it.each([
    'ebs-snapshot-succeeded',
    'codedeploy-deployment-succeeded',
    'ssm-compliance-compliant',
    'backup-job-completed',
    'imagebuilder-image-available',
    'ssm-maintenance-window-success',
    'cloudwatch-alarm-notifier-errors',
  ])('%s does not invoke the notifier', (name) => {
    expect(invoked(name)).toBe(false);
  });
});
