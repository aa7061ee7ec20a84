/**
 * The log of one invocation: every line carries the Lambda request id (to find all the lines of one
 * run in CloudWatch Logs, or the run behind an error), and lines under the LOG_LEVEL setting are left
 * out. A few lines of our own rather than @aws-lambda-powertools/logger: it added 24 KB to the code
 * compiled at init and 1.18x a bare handler's start, for features the JSON lines mostly have already
 * (docs/operations.md#logs).
 */
import type { Env } from '../config';
import type { LogFn, LogLine } from '../report';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Lines at or above info: debug lines are off unless LOG_LEVEL=debug. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

const rank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

function isLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * LOG_LEVEL from the environment (any case, trimmed). A value it cannot read is no reason to fail a
 * run: the default applies and the problem says so, naming the setting, the value and what was expected.
 */
export function logLevelFrom(env: Env): { level: LogLevel; problem?: string } {
  const raw = env.LOG_LEVEL?.trim();
  if (raw === undefined || raw === '') return { level: DEFAULT_LOG_LEVEL };
  const level = raw.toLowerCase();
  if (isLevel(level)) return { level };
  return {
    level: DEFAULT_LOG_LEVEL,
    problem: `LOG_LEVEL=${JSON.stringify(raw)} is not valid: expected one of ${LOG_LEVELS.join(', ')}; logging at ${DEFAULT_LOG_LEVEL}`,
  };
}

/**
 * `log` for one invocation. A line's level is its `level` field (none: info). The metrics line (EMF)
 * always passes, whatever the level: the dashboard and the alarms are made from it.
 */
export function invocationLog(log: LogFn, env: Env, requestId: string | undefined): LogFn {
  const { level, problem } = logLevelFrom(env);
  const withId = (line: LogLine): LogLine => (requestId ? { ...line, requestId } : line);
  const out: LogFn = (line) => {
    const lineLevel = isLevel(line.level) ? line.level : 'info';
    if (line.type !== 'metrics' && rank(lineLevel) < rank(level)) return;
    log(withId(line));
  };
  if (problem) out({ level: 'warn', type: 'setting-problem', setting: 'LOG_LEVEL', message: problem });
  return out;
}
