/**
 * Reporting: one structured JSON log line per decision, and the run summary on EventBridge in the
 * shapes of shared/events.ts. Reporting never fails a run: a PutEvents error is logged and returned.
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

import type { AwsClients } from './aws/clients';
import { errorText } from './errors';
import {
  DETAIL_TYPE,
  EVENT_SOURCE,
  type CleanupRefusedDetail,
  type FunctionName,
  type RunSummaryDetail,
} from './events';
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

/**
 * EventBridge refuses entries over 256 KB (detail, detail-type, source and resources together).
 * The detail is kept well below that, so the rest of the entry always fits.
 */
export const MAX_DETAIL_BYTES = 200 * 1024;

/** Shortens failures/skipped/reported until the detail fits, recording how many were left out in counts. */
export function fitSummary(detail: RunSummaryDetail, maxBytes = MAX_DETAIL_BYTES): RunSummaryDetail {
  const size = (d: unknown) => Buffer.byteLength(JSON.stringify(d), 'utf8');
  if (size(detail) <= maxBytes) return detail;
  const reported = detail.reported ?? [];
  let keep = Math.max(detail.failures.length, detail.skipped.length, reported.length);
  let fitted = detail;
  while (keep > 0) {
    keep = Math.floor(keep / 2);
    fitted = {
      ...detail,
      failures: detail.failures.slice(0, keep),
      skipped: detail.skipped.slice(0, keep),
      ...(detail.reported && { reported: reported.slice(0, keep) }),
      counts: {
        ...detail.counts,
        failuresOmitted: Math.max(0, detail.failures.length - keep),
        skippedOmitted: Math.max(0, detail.skipped.length - keep),
        ...(detail.reported && { reportedOmitted: Math.max(0, reported.length - keep) }),
      },
    };
    if (size(fitted) <= maxBytes) return fitted;
  }
  return fitted;
}

export interface PublishResult {
  sent: number;
  error?: string;
}

export async function publishRunEvents(
  clients: AwsClients,
  eventBusName: string,
  summary: RunSummaryDetail,
  refused: CleanupRefusedDetail | undefined,
  log: LogFn,
): Promise<PublishResult> {
  const entries: PutEventsRequestEntry[] = [
    {
      EventBusName: eventBusName,
      Source: EVENT_SOURCE,
      DetailType: DETAIL_TYPE.runSummary,
      Detail: JSON.stringify(fitSummary(summary)),
    },
  ];
  if (refused) {
    entries.push({
      EventBusName: eventBusName,
      Source: EVENT_SOURCE,
      DetailType: DETAIL_TYPE.cleanupRefused,
      Detail: JSON.stringify(refused),
    });
  }
  try {
    const res = await clients.eventBridge.send(new PutEventsCommand({ Entries: entries }));
    const failed = (res.Entries ?? []).filter((e) => e.ErrorCode);
    if ((res.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
      const error = failed.map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`).join('; ') || 'entries failed';
      log({
        level: 'error',
        type: 'report',
        action: 'PutEvents',
        region: summary.region,
        message: `summary event not delivered: ${error}`,
      });
      return { sent: entries.length - (res.FailedEntryCount ?? failed.length), error };
    }
    return { sent: entries.length };
  } catch (err) {
    const error = errorText(err);
    log({
      level: 'error',
      type: 'report',
      action: 'PutEvents',
      region: summary.region,
      message: `summary event not delivered: ${error}`,
    });
    return { sent: 0, error };
  }
}
