/**
 * Helpers the normalisers share: reading loosely-typed event details without trusting them, the
 * envelope's account/region, and console links built only from values that look like what they are.
 */
import type { EventBridgeEvent, Notification, NormaliseResult } from '../types';

export type Detail = Record<string, unknown>;

export function detailOf(event: EventBridgeEvent): Detail {
  const d = event.detail;
  return d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as Detail) : {};
}

/** A string field, or undefined when absent or not a string (numbers are accepted and stringified). */
export function str(d: Detail, key: string): string | undefined {
  const v = d[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function obj(d: Detail, key: string): Detail {
  const v = d[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Detail) : {};
}

export function arr(d: Detail, key: string): unknown[] {
  const v = d[key];
  return Array.isArray(v) ? v : [];
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The console host for a region; undefined when the region does not look like one (no link then). */
export function consoleBase(region: string): string | undefined {
  return REGION.test(region) ? `https://${region}.console.aws.amazon.com` : undefined;
}

export function consoleLink(region: string, path: string): string | undefined {
  const base = consoleBase(region);
  return base === undefined ? undefined : `${base}${path}`;
}

export function envelope(event: EventBridgeEvent): { account: string; region: string; occurredAt: string } {
  return {
    account: typeof event.account === 'string' && event.account ? event.account : 'unknown account',
    region: typeof event.region === 'string' && event.region ? event.region : 'unknown region',
    occurredAt: typeof event.time === 'string' ? event.time : '',
  };
}

export function notify(n: Omit<Notification, 'facts'> & { facts?: Notification['facts'] }): NormaliseResult {
  const facts = (n.facts ?? []).filter((f) => f.value !== '');
  return { kind: 'notify', notification: { ...n, facts } };
}

export function ignore(reason: string): NormaliseResult {
  return { kind: 'ignore', reason };
}

/** Keys are built from pieces AWS gave us; joining with "/" keeps them readable in the table. */
export function incidentKey(...parts: (string | undefined)[]): string {
  return parts.map((p) => p ?? '-').join('/');
}

/** The envelope's resources that are strings (a malformed event may put anything there). */
export function resourcesOf(event: EventBridgeEvent): string[] {
  return Array.isArray(event.resources)
    ? event.resources.filter((r): r is string => typeof r === 'string')
    : [];
}
