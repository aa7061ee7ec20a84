/**
 * A known event type whose status cannot be read (detail null, a string, the status field missing or
 * not text) is not "not a failure": the notifier cannot tell, so a person is told, with the field it
 * looked for and the raw detail. Silence here is how a failure would be lost.
 */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { envelope, incidentKey, notify, resourcesOf } from './common';

/** A field the notifier reads to decide, as a path under `detail`, and the values it knows. */
export interface StatusField {
  path: readonly string[];
  expected: string;
}

const DETAIL_PREVIEW = 1500;

function fieldName(path: readonly string[]): string {
  return ['detail', ...path].join('.');
}

/** What is wrong with the event's status fields, or undefined when every one is readable text. */
export function unreadableField(
  event: EventBridgeEvent,
  fields: readonly StatusField[],
): { field: string; expected: string; found: string } | undefined {
  const detail = event.detail;
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    const first = fields[0];
    return {
      field: 'detail',
      expected: first ? `an object with ${fieldName(first.path)} (${first.expected})` : 'an object',
      found: describe(detail),
    };
  }
  for (const f of fields) {
    let value: unknown = detail;
    for (const key of f.path) {
      value =
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      return { field: fieldName(f.path), expected: f.expected, found: describe(value) };
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return value.trim() === '' ? 'an empty string' : `the text ${cut(JSON.stringify(value), 80)}`;
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value} ${cut(JSON.stringify(value) ?? '', 80)}`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function normaliseUnreadable(
  event: EventBridgeEvent,
  problem: { field: string; expected: string; found: string },
): NormaliseResult {
  const env = envelope(event);
  const source = typeof event.source === 'string' ? event.source : 'unknown source';
  const type = typeof event['detail-type'] === 'string' ? event['detail-type'] : 'unknown event';
  const resource = resourcesOf(event)[0] ?? 'no resource named';
  const raw = cut(JSON.stringify(event.detail) ?? 'undefined', DETAIL_PREVIEW);
  return notify({
    severity: 'warning',
    title: `Unreadable ${type} event`,
    whatFailed: `${source} · ${type}: ${problem.field} could not be read`,
    ...env,
    resource,
    reason:
      `The notifier could not tell whether this is a failure: ${problem.field} is ${problem.found}, ` +
      `expected ${problem.expected}. The event's detail: ${raw}`,
    consoleUrl: undefined,
    incidentKey: incidentKey(env.account, env.region, 'unreadable', source, type, resource),
    facts: [
      { name: 'Field', value: problem.field },
      { name: 'Expected', value: problem.expected },
      { name: 'Event id', value: typeof event.id === 'string' ? event.id : '' },
    ],
  });
}
