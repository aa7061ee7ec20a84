/**
 * publishRunEvents: one PutEvents with the summary (and the refusal and notice when there are any);
 * entries EventBridge refuses, or a call that fails, are logged as one error line naming the region
 * and counted in `sent`, never thrown: the run's result does not depend on the bus.
 */
import { describe, expect, it } from '@jest/globals';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

import type { AwsClients } from '../../../shared/aws/clients';
import { publishRunEvents } from '../../../shared/aws/events';
import { startSummary } from '../../../shared/jobs/common';

// A region's summary as a job starts it (the detail's shape is the jobs' own).
const { summary } = startSummary('cleanup', 'eu-west-1', { now: new Date('2026-11-23T10:00:00Z') }, false);

function busAnswering(answer: (entries: PutEventsRequestEntry[]) => unknown) {
  const sent: PutEventsRequestEntry[][] = [];
  const send = async (command: { input: { Entries: PutEventsRequestEntry[] } }) => {
    sent.push(command.input.Entries);
    const result = answer(command.input.Entries);
    if (result instanceof Error) throw result;
    return result;
  };
  const clients = { region: 'eu-west-1', eventBridge: { send } } as unknown as AwsClients;
  return { clients, sent };
}

function logged() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: (line: Record<string, unknown>) => void lines.push(line) };
}

describe('publishRunEvents', () => {
  it('sends the summary, the refusal and the notice in one call, each with its detail type', async () => {
    const { clients, sent } = busAnswering((entries) => ({
      FailedEntryCount: 0,
      Entries: entries.map(() => ({})),
    }));
    const { lines, log } = logged();
    const refused = { region: 'eu-west-1', reason: 'tagger stale' };
    const notice = { region: 'eu-west-1', images: [] };
    const result = await publishRunEvents(
      clients,
      'fleet-bus',
      summary,
      refused as never,
      log,
      notice as never,
    );
    expect(result).toEqual({ sent: 3 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((e) => [e.EventBusName, e.DetailType, JSON.parse(e.Detail!)])).toEqual([
      [
        'fleet-bus',
        'EC2 Hygiene Run Summary',
        expect.objectContaining({ region: 'eu-west-1', function: 'cleanup' }),
      ],
      ['fleet-bus', 'EC2 Hygiene Cleanup Refused', refused],
      ['fleet-bus', 'EC2 Hygiene Deletion Notice', notice],
    ]);
    expect(lines).toEqual([]);
  });

  it('counts entries EventBridge refuses and logs their codes', async () => {
    const { clients } = busAnswering(() => ({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e-1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    }));
    const { lines, log } = logged();
    const result = await publishRunEvents(clients, 'default', summary, { region: 'eu-west-1' } as never, log);
    expect(result).toEqual({ sent: 1, error: 'InternalFailure: try again' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        action: 'PutEvents',
        region: 'eu-west-1',
        message: 'summary event not delivered: InternalFailure: try again',
      }),
    ]);
  });

  it('a failed call is logged and nothing counted as sent, never thrown', async () => {
    const denied = Object.assign(new Error('not allowed to put events on default'), {
      name: 'AccessDeniedException',
    });
    const { clients } = busAnswering(() => denied);
    const { lines, log } = logged();
    const result = await publishRunEvents(clients, 'default', summary, undefined, log);
    expect(result.sent).toBe(0);
    expect(result.error).toContain('not allowed to put events on default');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', region: 'eu-west-1' });
    expect(lines[0]!.message).toBe(`summary event not delivered: ${result.error}`);
  });
});
