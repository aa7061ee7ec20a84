/**
 * The run summary (and cleanup's refusal) on EventBridge, in the shapes of shared/events.ts.
 * Publishing never fails a run: a PutEvents error is logged and returned.
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

import {
  DETAIL_TYPE,
  EVENT_SOURCE,
  type CleanupRefusedDetail,
  type DeletionNoticeDetail,
  type RunSummaryDetail,
} from '../events';
import type { LogFn } from '../report';
import type { AwsClients } from './clients';
import { errorText } from '../errors';

/**
 * EventBridge refuses entries over 256 KB (detail, detail-type, source and resources together).
 * The detail is kept well below that, so the rest of the entry always fits.
 */
export const MAX_DETAIL_BYTES = 200 * 1024;

/** Shortens failures/skipped/reported/deleted until the detail fits, recording how many were left out in counts. */
export function fitSummary(detail: RunSummaryDetail, maxBytes = MAX_DETAIL_BYTES): RunSummaryDetail {
  const size = (d: unknown) => Buffer.byteLength(JSON.stringify(d), 'utf8');
  if (size(detail) <= maxBytes) return detail;
  const reported = detail.reported ?? [];
  const deleted = detail.deleted ?? [];
  let keep = Math.max(detail.failures.length, detail.skipped.length, reported.length, deleted.length);
  let fitted = detail;
  while (keep > 0) {
    keep = Math.floor(keep / 2);
    fitted = {
      ...detail,
      failures: detail.failures.slice(0, keep),
      skipped: detail.skipped.slice(0, keep),
      ...(detail.reported && { reported: reported.slice(0, keep) }),
      ...(detail.deleted && { deleted: deleted.slice(0, keep) }),
      counts: {
        ...detail.counts,
        failuresOmitted: Math.max(0, detail.failures.length - keep),
        skippedOmitted: Math.max(0, detail.skipped.length - keep),
        ...(detail.reported && { reportedOmitted: Math.max(0, reported.length - keep) }),
        ...(detail.deleted && { deletedOmitted: Math.max(0, deleted.length - keep) }),
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
  notice?: DeletionNoticeDetail,
): Promise<PublishResult> {
  const entry = (detailType: string, detail: unknown): PutEventsRequestEntry => ({
    EventBusName: eventBusName,
    Source: EVENT_SOURCE,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
  });
  const entries = [entry(DETAIL_TYPE.runSummary, fitSummary(summary))];
  if (refused) entries.push(entry(DETAIL_TYPE.cleanupRefused, refused));
  if (notice) entries.push(entry(DETAIL_TYPE.deletionNotice, notice));
  let undelivered: Required<PublishResult>;
  try {
    const res = await clients.eventBridge.send(new PutEventsCommand({ Entries: entries }));
    const failed = (res.Entries ?? []).filter((e) => e.ErrorCode);
    if ((res.FailedEntryCount ?? 0) <= 0 && failed.length === 0) return { sent: entries.length };
    const error = failed.map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`).join('; ') || 'entries failed';
    undelivered = { sent: entries.length - (res.FailedEntryCount ?? failed.length), error };
  } catch (err) {
    undelivered = { sent: 0, error: errorText(err) };
  }
  log({
    level: 'error',
    type: 'report',
    action: 'PutEvents',
    region: summary.region,
    message: `summary event not delivered: ${undelivered.error}`,
  });
  return undelivered;
}
