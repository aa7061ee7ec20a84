/**
 * The tag contract: the product's public interface. Keys are case-sensitive, values are trimmed,
 * booleans accept true/false in any case, timestamps are ISO 8601 UTC with a Z.
 * A value this module cannot read is returned as a TagProblem, never guessed at.
 */

export const TAG = {
  autoCleanup: 'AutoCleanup',
  lastUsed: 'LastUsed',
  lastUsedRuntime: 'LastUsedRuntime',
  /**
   * Written by the tagger on an AMI whose use it had not been observing (its LastUsedRuntime was
   * missing, unreadable or older than the freshness window): the end of that blind period. Cleanup
   * counts it as use, so the retention runs from the end of a tagger outage, not from its start.
   */
  lastUsedObservedSince: 'LastUsedObservedSince',
  /**
   * Owner override on an AMI: its retention in whole days (1 to 3650), instead of retentionDays.
   * Shorter is allowed (that is the feature); every other cleanup rule still applies.
   */
  autoCleanupRetentionDays: 'AutoCleanupRetentionDays',
  /**
   * Owner override on an AMI: not deleted before this ISO UTC date (through the end of that day) or
   * timestamp. A past value has no effect.
   */
  autoCleanupKeepUntil: 'AutoCleanupKeepUntil',
  scaleToZero: 'ScaleToZero',
  /**
   * Written by cleanup on an AMI it deprecated as the first stage of its retirement (ISO UTC): when
   * that stage began. Trusted only beside EC2's own DeprecationTime (shared/plan/cleanup/stages.ts).
   */
  autoCleanupDeprecatedAt: 'AutoCleanupDeprecatedAt',
  /**
   * Written by cleanup on an AMI it disabled (ISO UTC): when that stage began. Trusted only while EC2
   * says the AMI is disabled and not before its DeprecationTime (shared/plan/cleanup/stages.ts).
   */
  autoCleanupDisabledAt: 'AutoCleanupDisabledAt',
  /**
   * Written by cleanup on each snapshot of an AMI it is about to deregister (value: that AMI's id),
   * before deregistering, so a snapshot AWS still reports in use, or a run cut short, is found and
   * finished by a later run instead of being lost track of.
   */
  pendingDeletion: 'AutoCleanupPendingDeletion',
  /** Owner override: keep this resource on until the given ISO UTC time (scale-to-zero). */
  scaleToZeroSkipUntil: 'ScaleToZeroSkipUntil',
  /**
   * Written by scale-to-zero on a group before scaling it to 0: `min=1 desired=2 max=4`. Used only
   * beside its own ScaleToZeroLastTransition record of that scale-down (anyone may tag a group).
   */
  scaleToZeroSavedCapacity: 'ScaleToZeroSavedCapacity',
  /**
   * Written by scale-to-zero on an instance it stopped (ISO UTC); an instance is started only when
   * this equals the `stopped=` time of its ScaleToZeroLastTransition record.
   */
  scaleToZeroStoppedAt: 'ScaleToZeroStoppedAt',
  /**
   * Written by scale-to-zero: the schedule transition (ISO UTC) it last acted on for this resource,
   * and what it did then (`… scaled-to-zero max=4`, `… stopped=<ISO UTC>`); see shared/plan/scale/records.ts.
   */
  scaleToZeroLastTransition: 'ScaleToZeroLastTransition',
  /**
   * Owner setting on an instance: how scale-to-zero turns it off, `stop` (the default) or
   * `hibernate` (only an instance launched with hibernation configured; the others are stopped).
   */
  scaleToZeroAction: 'ScaleToZeroAction',
} as const;

export type Tags = Readonly<Record<string, string>>;

/** A tag value the product could not read: the resource is skipped and this is reported. */
export interface TagProblem {
  resourceId: string;
  tag: string;
  value: string;
  expected: string;
}

export type TagReading<T> =
  { kind: 'absent' } | { kind: 'ok'; value: T } | { kind: 'invalid'; problem: TagProblem };

export function describeTagProblem(p: TagProblem): string {
  return `${p.resourceId}: tag ${p.tag}=${JSON.stringify(p.value)} is not readable; expected ${p.expected}`;
}

export function readBooleanTag(tags: Tags, key: string, resourceId: string): TagReading<boolean> {
  const raw = tags[key];
  if (raw === undefined) return { kind: 'absent' };
  const value = raw.trim().toLowerCase();
  if (value === 'true') return { kind: 'ok', value: true };
  if (value === 'false') return { kind: 'ok', value: false };
  return { kind: 'invalid', problem: { resourceId, tag: key, value: raw, expected: 'true or false' } };
}

/**
 * An opt-in tag that a role's IAM condition also reads (cleanup may deregister only images whose
 * AutoCleanup is `true` by StringEqualsIgnoreCase). IAM does not trim, so a value with spaces
 * around it would be planned here and refused there, every day: it is unreadable instead, and the
 * resource is skipped and reported.
 */
export function readOptInTag(tags: Tags, key: string, resourceId: string): TagReading<boolean> {
  const raw = tags[key];
  if (raw !== undefined && raw !== raw.trim()) {
    return {
      kind: 'invalid',
      problem: {
        resourceId,
        tag: key,
        value: raw,
        expected: 'true or false with no spaces around it (the IAM condition compares the value as written)',
      },
    };
  }
  return readBooleanTag(tags, key, resourceId);
}

// Date and time in UTC with a Z; seconds and fractions optional. Offsets other than Z are refused on
// purpose: the contract says UTC, and a value written by another tool is better reported than guessed.
const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z$/;

export const TIMESTAMP_EXPECTED = 'an ISO 8601 UTC timestamp such as 2026-11-22T20:40:00Z';

/** Parses a contract timestamp; undefined when the text is not one (including impossible dates). */
export function parseTimestamp(text: string): Date | undefined {
  const m = UTC_TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const d = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a rolled-over date is not what the tag said.
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    d.getUTCHours() !== hour ||
    d.getUTCMinutes() !== minute ||
    d.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  return d;
}

export function readTimestampTag(tags: Tags, key: string, resourceId: string): TagReading<Date> {
  const raw = tags[key];
  if (raw === undefined) return { kind: 'absent' };
  const parsed = parseTimestamp(raw);
  if (parsed === undefined) {
    return { kind: 'invalid', problem: { resourceId, tag: key, value: raw, expected: TIMESTAMP_EXPECTED } };
  }
  return { kind: 'ok', value: parsed };
}

const UTC_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const DATE_OR_TIMESTAMP_EXPECTED =
  'an ISO 8601 UTC date such as 2026-12-31 or timestamp such as 2026-12-31T18:00:00Z';

/**
 * A "keep until" tag: a contract timestamp, or a date alone, which means through the end of that day
 * in UTC (the reading that keeps longer). The value read is the first moment no longer covered.
 */
export function readUntilTag(tags: Tags, key: string, resourceId: string): TagReading<Date> {
  const raw = tags[key];
  if (raw === undefined) return { kind: 'absent' };
  const text = raw.trim();
  const day = UTC_DATE.test(text) ? parseTimestamp(`${text}T00:00:00Z`) : undefined;
  const parsed = day ? new Date(day.getTime() + 86_400_000) : parseTimestamp(text);
  if (parsed === undefined) {
    return {
      kind: 'invalid',
      problem: { resourceId, tag: key, value: raw, expected: DATE_OR_TIMESTAMP_EXPECTED },
    };
  }
  return { kind: 'ok', value: parsed };
}

/**
 * A whole number of something, written as plain decimal digits with no sign, no leading zero, no
 * exponent or fraction and no spaces around it, within [min, max]. Stricter than the contract's
 * trimming on purpose: such a tag can shorten how long something is kept, so only a value written
 * exactly is trusted.
 */
export function readWholeNumberTag(
  tags: Tags,
  key: string,
  resourceId: string,
  bounds: { min: number; max: number; expected: string },
): TagReading<number> {
  const raw = tags[key];
  if (raw === undefined) return { kind: 'absent' };
  const n = /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= bounds.min && n <= bounds.max)) {
    return { kind: 'invalid', problem: { resourceId, tag: key, value: raw, expected: bounds.expected } };
  }
  return { kind: 'ok', value: n };
}

/** The one way the product writes a timestamp: whole seconds, UTC, Z. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Converts an SDK tag list ({Key, Value}[]) into a plain record; keys stay case-sensitive. */
export function tagsFromList(list: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Tags {
  const out: Record<string, string> = {};
  for (const t of list ?? []) {
    if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  }
  return out;
}
