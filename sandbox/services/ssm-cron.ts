/**
 * The schedule expressions SSM maintenance windows accept, evaluated for the local account's
 * DescribeMaintenanceWindowSchedule and NextExecutionTime: `cron(min hour day-of-month month
 * day-of-week year)` (six fields, AWS style: `?` in one of the two day fields, days of the week
 * 1-7 = SUN-SAT or SUN…SAT, months 1-12 or JAN…DEC, `*`, lists, ranges and `/` steps) in the
 * window's ScheduleTimezone, and `rate(N hours|days)` counted from a start time. Forms the local
 * account does not evaluate (`L`, `W`, `#`, `at(...)`) are refused with a message naming them, never
 * guessed at.
 */
import { DateTime } from 'luxon';

export interface CronSchedule {
  kind: 'cron';
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  /** undefined: `?` (the other day field decides). */
  daysOfMonth?: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 1-7 = SUN-SAT, as AWS cron counts; undefined: `?`. */
  daysOfWeek?: ReadonlySet<number>;
  /** undefined: `*` (any year). */
  years?: ReadonlySet<number>;
}

export interface RateSchedule {
  kind: 'rate';
  everyMs: number;
}

export type WindowSchedule = CronSchedule | RateSchedule;

export class ScheduleExpressionError extends Error {}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  { name: 'year', min: 1970, max: 2199 },
];

function fail(expression: string, why: string): never {
  throw new ScheduleExpressionError(`Invalid cron expression ${expression}: ${why}`);
}

function valueOf(text: string, spec: FieldSpec, expression: string): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d{1,4}$/.test(text)) fail(expression, `"${text}" is not a value of the ${spec.name} field`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) {
    fail(expression, `${n} is outside ${spec.min}-${spec.max} in the ${spec.name} field`);
  }
  return n;
}

/** One field: `*`, `?` (day fields only), `a`, `a-b`, `*\/n`, `a/n`, `a-b/n`, and comma lists of these. */
function field(text: string, spec: FieldSpec, expression: string): Set<number> | undefined {
  if (text === '?') {
    if (spec.name !== 'day-of-month' && spec.name !== 'day-of-week') {
      fail(expression, `"?" is only allowed in the day-of-month or day-of-week field`);
    }
    return undefined;
  }
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (m) => (spec.names?.includes(m.toUpperCase()) ? '' : m)))) {
    fail(expression, `"${text}" (L, W and # forms) is not supported by the local account`);
  }
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail(expression, `"${part}" has no valid step`);
    let [from, to] = [spec.min, spec.max];
    if (range !== '*') {
      const [a, b] = range.split('-') as [string, string | undefined];
      from = valueOf(a, spec, expression);
      to = b === undefined ? (stepText === undefined ? from : spec.max) : valueOf(b, spec, expression);
      if (to < from) fail(expression, `"${part}" is a range that ends before it starts`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Parses `cron(...)` or `rate(...)`; throws ScheduleExpressionError naming what is wrong. */
export function parseWindowSchedule(expression: string): WindowSchedule {
  const rate = /^rate\((\d{1,3}) (hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) fail(expression, 'a rate must be at least 1');
    return { kind: 'rate', everyMs: n * (rate[2]!.startsWith('hour') ? 3_600_000 : 86_400_000) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (!cron) {
    throw new ScheduleExpressionError(
      `Invalid schedule expression ${expression}: expected cron(min hour day-of-month month day-of-week year) or rate(N hours|days)`,
    );
  }
  const parts = cron[1]!.trim().split(/\s+/);
  if (parts.length !== 6) fail(expression, `expected 6 fields, found ${parts.length}`);
  const sets = parts.map((p, i) => field(p, FIELDS[i]!, expression));
  const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = sets;
  if ((daysOfMonth === undefined) === (daysOfWeek === undefined)) {
    fail(expression, 'exactly one of day-of-month and day-of-week must be "?"');
  }
  if (!minutes || !hours || !months) fail(expression, '"?" in a field that needs a value');
  const out: CronSchedule = { kind: 'cron', minutes, hours, months };
  if (daysOfMonth) out.daysOfMonth = daysOfMonth;
  if (daysOfWeek) out.daysOfWeek = daysOfWeek;
  if (parts[5] !== '*' && years) out.years = years;
  return out;
}

/** How far ahead the evaluator looks for a matching day (a year pattern may match nothing sooner). */
const SEARCH_DAYS = 5 * 366;

/**
 * The first `count` executions strictly after `after`. A cron runs at its wall-clock times in
 * `zone` (a time the spring-forward gap skips moves forward, as luxon places it); a rate runs
 * every interval from `start`.
 */
export function nextExecutions(
  schedule: WindowSchedule,
  after: Date,
  count: number,
  options: { zone?: string; start?: Date } = {},
): Date[] {
  const out: Date[] = [];
  if (schedule.kind === 'rate') {
    const start = (options.start ?? after).getTime();
    const k = Math.max(0, Math.floor((after.getTime() - start) / schedule.everyMs) + 1);
    for (let i = 0; i < count; i++) out.push(new Date(start + (k + i) * schedule.everyMs));
    return out;
  }
  const zone = options.zone ?? 'UTC';
  const minutes = [...schedule.minutes].sort((a, b) => a - b);
  const hours = [...schedule.hours].sort((a, b) => a - b);
  let day = DateTime.fromJSDate(after, { zone }).startOf('day');
  for (let d = 0; d < SEARCH_DAYS && out.length < count; d++, day = day.plus({ days: 1 })) {
    if (!dayMatches(schedule, day)) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const at = day.set({ hour, minute }).toJSDate();
        if (at > after && out.length < count) out.push(at);
      }
    }
  }
  return out;
}

function dayMatches(s: CronSchedule, day: DateTime): boolean {
  if (s.years && !s.years.has(day.year)) return false;
  if (!s.months.has(day.month)) return false;
  if (s.daysOfMonth && !s.daysOfMonth.has(day.day)) return false;
  // luxon: 1 = Monday … 7 = Sunday; AWS cron: 1 = Sunday … 7 = Saturday.
  if (s.daysOfWeek && !s.daysOfWeek.has((day.weekday % 7) + 1)) return false;
  return true;
}
