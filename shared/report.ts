/**
 * Reporting: one structured JSON log line per decision. The run summary's event on EventBridge is
 * published by aws/events.ts.
 */
import type { FunctionName } from './events';
import type { TagProblem } from './tags';

export type LogLine = Record<string, unknown>;
export type LogFn = (line: LogLine) => void;

/** Lambda ships stdout to CloudWatch Logs; one JSON object per line keeps Logs Insights queries simple. */
export const jsonLog: LogFn = (line) => console.log(JSON.stringify(line));

export interface DecisionLine {
  function: FunctionName;
  region: string;
  resourceId: string;
  action: string;
  reason: string;
  /** The plan rule that made the decision (shared/plan/<job>/rules), for filtering logs by rule. */
  rule?: string;
  tagProblem?: TagProblem;
}

export function logDecision(log: LogFn, line: DecisionLine): void {
  log({ level: line.tagProblem ? 'warn' : 'info', type: 'decision', ...line });
}
