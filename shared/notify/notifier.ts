/**
 * One event in, at most one message per destination out: normalise → de-duplicate → format → deliver.
 * Partial failure is normal (one destination down, the others still get the message). A destination
 * counts only if a person can read it: a webhook that answered 2xx, or a published topic with at least
 * one confirmed subscription. When no reader got the message this throws, after giving the incident
 * claim back, so that Lambda's retry can send it and, when retries run out, the on-failure destination
 * (the fallback email topic, which does not pass through the notifier) says so. The notifier never notifies about its own delivery errors.
 * If the de-duplication table cannot be reached, the message is sent anyway: a duplicate is better
 * than a lost alert.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { DETAIL_TYPE, EVENT_SOURCE, type RunSummaryDetail } from '../events';
import type { Claim, IncidentStore } from './dedupe';
import { digestNotification } from './digest/message';
import type { DigestStore } from './digest/store';
import { previousWeek } from './digest/week';
import type { TopicReaderCheck } from './deliver/readers';
import { publishToTopic } from './deliver/sns';
import type { DeliveryResult } from './deliver/types';
import type { WebhookPoster } from './deliver/webhook';
import { formatSlack } from './format/slack';
import { formatSns } from './format/sns';
import { formatTeams } from './format/teams';
import { normaliseEvent } from './normalise';
import type { WebhookSecrets } from './secrets';
import type { NotifierSettings } from './settings';
import type { EventBridgeEvent, Notification } from './types';

export interface NotifierDeps {
  settings: NotifierSettings;
  store: IncidentStore;
  secrets: WebhookSecrets;
  webhooks: WebhookPoster;
  sns?: SNSClient;
  /** Whether the notification topic has a confirmed subscription; without it a publish reaches nobody. */
  topicReaders?: TopicReaderCheck;
  /** The week's totals (settings.weeklyDigest); absent when the digest is off. */
  digest?: DigestStore;
  now: () => Date;
  /** One structured record per line; webhook URLs are never passed here. */
  log: (record: Record<string, unknown>) => void;
}

export type NotifyOutcome =
  | { outcome: 'ignored'; reason: string }
  /** This very event was delivered before (EventBridge delivers at least once). */
  | { outcome: 'already-sent'; incidentKey: string; eventId: string }
  | { outcome: 'suppressed'; incidentKey: string; occurrences: number }
  | {
      outcome: 'sent' | 'partially-sent';
      incidentKey: string;
      occurrences: number;
      deliveries: DeliveryResult[];
    };

export class DeliveryFailedError extends Error {
  constructor(
    readonly incidentKey: string,
    readonly deliveries: DeliveryResult[],
  ) {
    super(
      deliveries.length === 0
        ? `no destination is configured for incident ${incidentKey}: set slackWebhookParameter, teamsWebhookParameter or notificationEmail`
        : `no reader got incident ${incidentKey}: ${deliveries.map((d) => d.error ?? d.destination).join('; ')}`,
    );
    this.name = 'DeliveryFailedError';
  }
}

/** Time kept back from the invocation's limit to log, give the claim back and fail cleanly. */
const FINISH_MARGIN_MS = 5_000;

async function deliverAll(n: Notification, deps: NotifierDeps, deadline?: number): Promise<DeliveryResult[]> {
  const { settings } = deps;
  const jobs: Promise<DeliveryResult>[] = [];
  const webhook = async (
    destination: 'slack' | 'teams',
    parameter: string,
    payload: unknown,
  ): Promise<DeliveryResult> => {
    const label = `${destination === 'slack' ? 'Slack' : 'Teams'} webhook from SSM ${parameter}`;
    let url: string;
    try {
      url = await deps.secrets.get(parameter);
    } catch (err) {
      return { destination, ok: false, attempts: 0, error: (err as Error).message };
    }
    return deps.webhooks.post(destination, label, url, payload, deadline);
  };
  if (settings.slackWebhookParameter)
    jobs.push(webhook('slack', settings.slackWebhookParameter, formatSlack(n)));
  if (settings.teamsWebhookParameter)
    jobs.push(webhook('teams', settings.teamsWebhookParameter, formatTeams(n)));
  if (settings.topicArn) jobs.push(publishForReaders(settings.topicArn, n, deps));
  return Promise.all(jobs);
}

/** Publishes, and counts the publish as delivered only if the topic has a confirmed subscription. */
async function publishForReaders(
  topicArn: string,
  n: Notification,
  deps: NotifierDeps,
): Promise<DeliveryResult> {
  if (!deps.sns || !deps.topicReaders) {
    return { destination: 'sns', ok: false, attempts: 0, error: 'no SNS client was wired' };
  }
  // Published even when nobody is subscribed yet: cheap, and a subscription confirmed since the
  // check would otherwise miss it.
  const [published, readers] = await Promise.all([
    publishToTopic(deps.sns, topicArn, formatSns(n)),
    deps.topicReaders.check(topicArn),
  ]);
  if (!published.ok || readers.reachable) return published;
  return { ...published, ok: false, error: readers.error };
}

/** What the runtime knows about this invocation (Lambda's context). */
export interface InvocationInfo {
  /** Milliseconds until the runtime stops this invocation (context.getRemainingTimeInMillis()). */
  remainingMs?: number;
}

/** The event the weekly schedule sends (functions/notifier/function.yml): time to send the digest. */
export const DIGEST_DUE = 'EC2 Hygiene Weekly Digest Due';

export async function notifyEvent(
  event: EventBridgeEvent,
  deps: NotifierDeps,
  invocation: InvocationInfo = {},
): Promise<NotifyOutcome> {
  if (event.source === EVENT_SOURCE && event['detail-type'] === DIGEST_DUE) {
    return sendWeeklyDigest(event, deps, invocation);
  }
  if (event.source === EVENT_SOURCE && event['detail-type'] === DETAIL_TYPE.runSummary) {
    await recordForDigest(event, deps);
  }
  const normalised = normaliseEvent(event, {
    selfFunctionName: deps.settings.selfFunctionName,
    ignoreAlarmNames: deps.settings.ignoreAlarmNames,
    alarmNamePrefixes: deps.settings.alarmNamePrefixes,
    fleetAlarmNamePrefix: deps.settings.fleetAlarmNamePrefix,
    alarmOnInsufficientData: deps.settings.alarmOnInsufficientData,
  });
  if (normalised.kind === 'ignore') {
    deps.log({
      msg: 'event ignored',
      source: event.source,
      detailType: event['detail-type'],
      reason: normalised.reason,
    });
    return { outcome: 'ignored', reason: normalised.reason };
  }
  return deliverOnce(normalised.notification, event, deps, invocation);
}

/**
 * Adds a run summary to the week's totals. Never in the way of the message: a failed write is logged
 * (the digest then misses that run, and says its figures are the summaries it received).
 */
async function recordForDigest(event: EventBridgeEvent, deps: NotifierDeps): Promise<void> {
  if (!deps.settings.weeklyDigest || !deps.digest) return;
  const d = event.detail as Partial<RunSummaryDetail> | undefined;
  if (!d || typeof d.function !== 'string' || !Array.isArray(d.failures) || !Array.isArray(d.skipped)) return;
  if (typeof d.counts !== 'object' || d.counts === null) return;
  const eventId = typeof event.id === 'string' && event.id ? event.id : undefined;
  try {
    const outcome = await deps.digest.record(d as RunSummaryDetail, eventId, deps.now());
    deps.log({
      msg: 'run summary added to the weekly digest',
      outcome,
      function: d.function,
      region: d.region,
    });
  } catch (err) {
    deps.log({
      msg: 'could not add the run summary to the weekly digest',
      function: d.function,
      region: d.region,
      error: errorLine(err),
    });
  }
}

/** Monday's digest of the week before, sent once (the incident key is the week). */
async function sendWeeklyDigest(
  event: EventBridgeEvent,
  deps: NotifierDeps,
  invocation: InvocationInfo,
): Promise<NotifyOutcome> {
  if (!deps.settings.weeklyDigest || !deps.digest) {
    const reason = 'the weekly digest is off (WEEKLY_DIGEST)';
    deps.log({ msg: 'event ignored', detailType: event['detail-type'], reason });
    return { outcome: 'ignored', reason };
  }
  const { start, end } = previousWeek(deps.now());
  // A table that cannot be read fails the invocation: Lambda retries, and a digest of nothing would
  // wrongly say that nothing ran.
  const totals = await deps.digest.read(start);
  const account = typeof event.account === 'string' && event.account ? event.account : 'unknown account';
  return deliverOnce(digestNotification(totals, end, account), event, deps, invocation);
}

/** Claims the incident, delivers and completes it: at most one message per incident and window. */
async function deliverOnce(
  n: Notification,
  event: EventBridgeEvent,
  deps: NotifierDeps,
  invocation: InvocationInfo,
): Promise<NotifyOutcome> {
  const now = deps.now();
  const eventId = typeof event.id === 'string' && event.id ? event.id : undefined;
  const deadline =
    invocation.remainingMs === undefined
      ? undefined
      : now.getTime() + invocation.remainingMs - FINISH_MARGIN_MS;
  if (n.lifecycle === 'resolved') return resolveIncident(n, now, eventId, deps, deadline);
  let claim: Claim;
  try {
    claim = await deps.store.claim(n.incidentKey, now, {
      eventId,
      // Past this the invocation cannot be running any more, so its unfinished claim may be taken over.
      inProgressUntil:
        invocation.remainingMs === undefined ? undefined : new Date(now.getTime() + invocation.remainingMs),
    });
  } catch (err) {
    // Without the table a duplicate is possible, but a lost alert is worse: send, and say why.
    deps.log({
      msg: 'de-duplication unavailable; sending anyway',
      incidentKey: n.incidentKey,
      error: errorLine(err),
    });
    return finish(n, { send: true, occurrences: 1, previousSuppressed: 0 }, deps, false, deadline);
  }
  if (!claim.send && claim.alreadySent && eventId) {
    deps.log({ msg: 'event already delivered', incidentKey: n.incidentKey, eventId });
    return { outcome: 'already-sent', incidentKey: n.incidentKey, eventId };
  }
  if (!claim.send) {
    deps.log({ msg: 'duplicate suppressed', incidentKey: n.incidentKey, occurrences: claim.occurrences });
    return { outcome: 'suppressed', incidentKey: n.incidentKey, occurrences: claim.occurrences };
  }
  return finish(n, claim, deps, true, deadline);
}

/** An incident's "resolved" message goes out only if the incident was opened and sent. */
async function resolveIncident(
  n: Notification,
  now: Date,
  eventId: string | undefined,
  deps: NotifierDeps,
  deadline: number | undefined,
): Promise<NotifyOutcome> {
  let open: boolean;
  try {
    open = await deps.store.resolve(n.incidentKey, now, eventId);
  } catch (err) {
    // Without the table nobody knows whether the incident was announced: say it is resolved anyway.
    deps.log({
      msg: 'de-duplication unavailable; sending the resolution anyway',
      incidentKey: n.incidentKey,
      error: errorLine(err),
    });
    open = true;
  }
  if (!open) {
    const reason = `no open incident ${n.incidentKey} to resolve (it was not sent, or is resolved already)`;
    deps.log({ msg: 'event ignored', incidentKey: n.incidentKey, reason });
    return { outcome: 'ignored', reason };
  }
  const deliveries = await deliverAll(n, deps, deadline);
  for (const d of deliveries) {
    deps.log({ msg: d.ok ? 'delivered' : 'delivery failed', incidentKey: n.incidentKey, ...d });
  }
  // The incident stays resolved by this event, so Lambda's retry of it passes resolve() again.
  if (!deliveries.some((d) => d.ok)) throw new DeliveryFailedError(n.incidentKey, deliveries);
  return {
    outcome: deliveries.every((d) => d.ok) ? 'sent' : 'partially-sent',
    incidentKey: n.incidentKey,
    occurrences: 1,
    deliveries,
  };
}

async function finish(
  n: Notification,
  claim: Claim & { send: true },
  deps: NotifierDeps,
  claimed: boolean,
  deadline: number | undefined,
): Promise<NotifyOutcome> {
  const logClaimError = (msg: string) => (err: unknown) =>
    deps.log({ msg, incidentKey: n.incidentKey, error: errorLine(err) });
  const deliveries = await deliverAll({ ...n, occurrences: claim.occurrences }, deps, deadline);
  for (const d of deliveries) {
    deps.log({ msg: d.ok ? 'delivered' : 'delivery failed', incidentKey: n.incidentKey, ...d });
  }
  if (!deliveries.some((d) => d.ok)) {
    // If the claim cannot be given back, the retry still takes it over (same event id): the delivery
    // failure is what must reach Lambda, not the table's error.
    if (claimed) {
      await deps.store
        .release(n.incidentKey, claim)
        .catch(logClaimError('could not give the incident claim back'));
    }
    throw new DeliveryFailedError(n.incidentKey, deliveries);
  }
  if (claimed) {
    // Someone got it: a retry of this event is now a redelivery. If this write fails the claim
    // stays in progress until its expiry, then the next occurrence sends (a duplicate, not a loss).
    await deps.store
      .complete(n.incidentKey, claim)
      .catch(logClaimError('could not mark the incident claim completed'));
  }
  return {
    outcome: deliveries.every((d) => d.ok) ? 'sent' : 'partially-sent',
    incidentKey: n.incidentKey,
    occurrences: claim.occurrences,
    deliveries,
  };
}

/** An error the notifier logs and goes on after, as it logs it: the SDK error name (its code) and message. */
function errorLine(err: unknown): string {
  return `${(err as Error).name}: ${(err as Error).message}`;
}
