/**
 * Settings of the scale-to-zero function, from environment variables (the serverless params end up
 * there). The environment is passed in. A bad value throws one ConfigError naming the variable, the
 * value and what was expected, so a misconfigured deploy fails its first run instead of guessing.
 */
import { ConfigError, eventRegionFor, regionsFromEnv, type Env } from '../config';
import { parseHolidays, type Holidays } from './holidays';
import { parseSchedule, type Schedule } from './format';
import { loadPatchWindowSettings, type PatchWindowSettings } from './patch-settings';

export interface ScaleSettings {
  regions: string[];
  /** The schedule `ScaleToZero=true` means. */
  defaultSchedule: Schedule;
  /** `ScaleToZero=<name>` picks one of these (names are case-sensitive, like tag keys). */
  namedSchedules: ReadonlyMap<string, Schedule>;
  holidays: Holidays;
  /**
   * SCALE_SCHEDULES_PARAMETER: an SSM parameter (a full path) whose value holds more named schedules
   * in SCALE_SCHEDULES' form, read once per run (shared/schedule/parameter.ts), and its region.
   */
  schedulesParameter?: { name: string; region: string };
  /** Plan and report only. */
  dryRun: boolean;
  /** Largest group max scaled down or restored: bounds what a forged saved size can do. */
  maxRestoreCapacity: number;
  eventBusName: string;
  /** Where every region's summary goes (see Settings.eventRegion in shared/config.ts). */
  eventRegion?: string;
  maxAttempts: number;
  /** Patch windows: SCALE_PATCH_WINDOWS, SCALE_PATCH_WINDOW_LEAD_MINUTES (patch-settings.ts). */
  patchWindows: PatchWindowSettings;
}

/** The default of SCALE_MAX_RESTORE_CAPACITY: dev groups are small; a forged size must stay small. */
export const DEFAULT_MAX_RESTORE_CAPACITY = 100;

export const SCALE_DEFAULTS = {
  defaultSchedule: 'Mon-Fri 07:00-19:00 UTC',
  dryRun: false,
  maxRestoreCapacity: DEFAULT_MAX_RESTORE_CAPACITY,
  eventBusName: 'default',
  maxAttempts: 8,
} as const;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function fail(name: string, raw: string | undefined, expected: string, why?: string): never {
  throw new ConfigError(
    `${name}=${JSON.stringify(raw)} is not valid${why ? ` (${why})` : ''}: expected ${expected}`,
  );
}

function schedule(name: string, text: string): Schedule {
  try {
    return parseSchedule(text);
  } catch (e) {
    throw new ConfigError(`${name}: ${(e as Error).message}`);
  }
}

const NAMED_EXPECTED =
  'a JSON object of schedule names to schedules, e.g. {"berlin-office":"Mon-Fri 08:00-18:30 Europe/Berlin"}, ' +
  'or to {"schedule": "...", "holidays": ["2026-12-24"], "globalHolidays": true} for a schedule with its ' +
  'own holidays (globalHolidays false: instead of SCALE_HOLIDAYS)';
const ENTRY_KEYS = new Set(['schedule', 'holidays', 'globalHolidays']);

/** One named schedule: a schedule string, or an object with its own holidays. */
function namedEntry(name: string, entry: unknown, raw: string, source: string): Schedule {
  const setting = `${source}.${name}`;
  if (typeof entry === 'string') return schedule(setting, entry);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    fail(source, raw, NAMED_EXPECTED, `the schedule of "${name}" is not a string or an object`);
  }
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !ENTRY_KEYS.has(k));
  if (unknown.length > 0) {
    fail(source, raw, NAMED_EXPECTED, `"${name}" has unknown field(s) ${unknown.join(', ')}`);
  }
  if (typeof fields.schedule !== 'string') {
    fail(source, raw, NAMED_EXPECTED, `"${name}".schedule is not a string`);
  }
  const { holidays, globalHolidays } = fields;
  const dates =
    holidays === undefined
      ? []
      : Array.isArray(holidays) && holidays.every((d) => typeof d === 'string')
        ? holidays
        : typeof holidays === 'string'
          ? holidays.split(',')
          : fail(source, raw, NAMED_EXPECTED, `"${name}".holidays is not a list of dates`);
  if (globalHolidays !== undefined && typeof globalHolidays !== 'boolean') {
    fail(source, raw, NAMED_EXPECTED, `"${name}".globalHolidays is not true or false`);
  }
  const parsed = schedule(setting, fields.schedule);
  let own: Holidays;
  try {
    own = parseHolidays(dates);
  } catch (e) {
    throw new ConfigError(`${setting}.holidays: ${(e as Error).message}`);
  }
  return { ...parsed, holidays: { dates: own, withGlobal: globalHolidays ?? true } };
}

/**
 * Named schedules as JSON (SCALE_SCHEDULES, or the SSM parameter SCALE_SCHEDULES_PARAMETER names);
 * `source` is what errors name. All or nothing: one bad entry throws, nothing half-read is used.
 */
export function namedSchedules(raw: string | undefined, source = 'SCALE_SCHEDULES'): Map<string, Schedule> {
  const out = new Map<string, Schedule>();
  if (raw === undefined) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    fail(source, raw, NAMED_EXPECTED, 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail(source, raw, NAMED_EXPECTED);
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (!NAME.test(name) || ['true', 'false'].includes(name.toLowerCase())) {
      fail(
        'SCALE_SCHEDULES',
        raw,
        NAMED_EXPECTED,
        `"${name}" is not a usable name: letters, digits, _ . - and not true/false`,
      );
    }
    out.set(name, namedEntry(name, entry, raw, source));
  }
  return out;
}

export function loadScaleSettings(env: Env): ScaleSettings {
  const regions = regionsFromEnv(env);
  const dryRunText = value(env, 'SCALE_DRY_RUN');
  if (dryRunText !== undefined && !/^(true|false)$/i.test(dryRunText))
    fail('SCALE_DRY_RUN', dryRunText, 'true or false');
  const capText = value(env, 'SCALE_MAX_RESTORE_CAPACITY');
  if (capText !== undefined && !/^[1-9]\d{0,5}$/.test(capText)) {
    fail(
      'SCALE_MAX_RESTORE_CAPACITY',
      capText,
      'a whole number of instances from 1 to 999999 (the largest group max to restore)',
    );
  }
  const attemptsText = value(env, 'AWS_MAX_ATTEMPTS');
  if (attemptsText !== undefined && !/^[1-9]\d{0,2}$/.test(attemptsText)) {
    fail('AWS_MAX_ATTEMPTS', attemptsText, 'a whole number >= 1');
  }
  let holidays: Holidays;
  try {
    holidays = parseHolidays((value(env, 'SCALE_HOLIDAYS') ?? '').split(','));
  } catch (e) {
    throw new ConfigError(`SCALE_HOLIDAYS: ${(e as Error).message}`);
  }
  const eventBusName = value(env, 'EVENT_BUS_NAME') ?? SCALE_DEFAULTS.eventBusName;
  const parameter = value(env, 'SCALE_SCHEDULES_PARAMETER');
  // A full path: the role's ARN is built as parameter${name}, which needs the leading slash.
  if (parameter !== undefined && !/^\/[a-zA-Z0-9_.\-/]{1,1010}$/.test(parameter)) {
    fail(
      'SCALE_SCHEDULES_PARAMETER',
      parameter,
      'the full name of an SSM parameter starting with /, e.g. /ec2-hygiene/scale-schedules (letters, digits, _ . - /)',
    );
  }
  return {
    ...(parameter === undefined
      ? {}
      : { schedulesParameter: { name: parameter, region: env.AWS_REGION?.trim() || regions[0]! } }),
    regions: [...new Set(regions)],
    eventRegion: eventRegionFor(eventBusName, env.AWS_REGION, regions[0]!),
    defaultSchedule: schedule(
      'SCALE_DEFAULT_SCHEDULE',
      value(env, 'SCALE_DEFAULT_SCHEDULE') ?? SCALE_DEFAULTS.defaultSchedule,
    ),
    namedSchedules: namedSchedules(value(env, 'SCALE_SCHEDULES')),
    holidays,
    dryRun: dryRunText === undefined ? SCALE_DEFAULTS.dryRun : dryRunText.toLowerCase() === 'true',
    maxRestoreCapacity: capText === undefined ? SCALE_DEFAULTS.maxRestoreCapacity : Number(capText),
    eventBusName,
    maxAttempts: attemptsText === undefined ? SCALE_DEFAULTS.maxAttempts : Number(attemptsText),
    patchWindows: loadPatchWindowSettings(env),
  };
}
