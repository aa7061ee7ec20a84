/**
 * The notifier part of `npm start`: what Slack and email would receive for the failures of the
 * stories above (the fleet's own events, as the sandbox's EventBridge recorded them) and for a few
 * AWS failure events of the kinds the notifier's rules catch. Rendering only: nothing is sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../sandbox/server';
import { DETAIL_TYPE, EVENT_SOURCE, type RunSummaryDetail } from '../shared/events';
import { renderForDemo } from './notifications';

// Sample events written from AWS's documented shapes; the tests use the same files.
const SAMPLES = join(__dirname, '..', 'test', 'fixtures', 'events');
const AWS_SAMPLES = ['ssm-maintenance-window-failed.json', 'backup-job-failed.json'];
// An alarm's lifecycle: ALARM opens the incident, OK sends "resolved" for it.
const ALARM_LIFECYCLE = ['cloudwatch-alarm-status-check.json', 'cloudwatch-alarm-ok.json'];

export function renderNotifierStory(sandbox: Sandbox): string {
  const own = sandbox.state.eventsFrom(EVENT_SOURCE);
  const refusal = own.find((e) => e.detailType === DETAIL_TYPE.cleanupRefused);
  const withSkips = own.find(
    (e) => e.detailType === DETAIL_TYPE.runSummary && (e.detail as RunSummaryDetail).skipped.length > 0,
  );
  const clean = own.find(
    (e) =>
      e.detailType === DETAIL_TYPE.runSummary &&
      (e.detail as RunSummaryDetail).skipped.length === 0 &&
      (e.detail as RunSummaryDetail).failures.length === 0,
  );
  const fleet = [refusal, withSkips, clean].filter((e) => e !== undefined);
  const load = (f: string) => JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as never;
  const aws = AWS_SAMPLES.map(load);
  return [
    renderForDemo(fleet, { destinations: ['sns'], account: sandbox.state.accountId }),
    renderForDemo(aws.slice(0, 1), { destinations: ['sns', 'slack'] }),
    renderForDemo(aws.slice(1), { destinations: ['sns'] }),
    renderForDemo(ALARM_LIFECYCLE.map(load), { destinations: ['sns'] }),
  ].join('\n\n');
}
