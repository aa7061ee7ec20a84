/**
 * EventBridge (JSON 1.1): PutEvents records every entry in state.events, with AWS's limits: at most
 * 10 entries a call (ValidationException), and per-entry failures for a missing Source,
 * DetailType or Detail and for Detail that is not a JSON object (MalformedDetail).
 */
import { SandboxError } from '../protocol/errors';
import type { JsonServiceHandler } from './types';

const MAX_ENTRIES = 10;

interface EntryResult {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const events: JsonServiceHandler = {
  service: 'events',
  protocol: 'json1.1',
  targetPrefix: 'AWSEvents',
  actions: {
    PutEvents: (input, { state, region }) => {
      const entries = input.Entries;
      if (!Array.isArray(entries) || entries.length === 0) {
        throw new SandboxError('ValidationException', 'PutEvents needs Entries: a list of 1 to 10 events');
      }
      if (entries.length > MAX_ENTRIES) {
        throw new SandboxError(
          'ValidationException',
          `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES} (got ${entries.length})`,
        );
      }
      let failed = 0;
      const results = entries.map((raw: unknown): EntryResult => {
        const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
        const source = text(entry.Source);
        const detailType = text(entry.DetailType);
        const detailText = text(entry.Detail);
        const missing = !source ? 'Source' : !detailType ? 'DetailType' : !detailText ? 'Detail' : undefined;
        if (missing) {
          failed++;
          return {
            ErrorCode: 'InvalidArgument',
            ErrorMessage: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
          };
        }
        let detail: unknown;
        try {
          detail = JSON.parse(detailText!);
        } catch {
          detail = undefined;
        }
        if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
          failed++;
          return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
        }
        const hex = state.ids.next('evt').slice(5);
        const eventId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-8${hex.slice(15)}00-000000000000`;
        state.events.push({
          id: eventId,
          region: region.name,
          eventBusName: text(entry.EventBusName) ?? 'default',
          source: source!,
          detailType: detailType!,
          detail,
          resources: Array.isArray(entry.Resources)
            ? entry.Resources.filter((r): r is string => typeof r === 'string')
            : [],
          time:
            typeof entry.Time === 'number'
              ? new Date(entry.Time * 1000).toISOString()
              : typeof entry.Time === 'string'
                ? entry.Time
                : undefined,
        });
        return { EventId: eventId };
      });
      return { FailedEntryCount: failed, Entries: results };
    },
  },
};
