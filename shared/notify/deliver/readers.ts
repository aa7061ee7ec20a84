/**
 * Does anyone read the notification topic? A publish to a topic without a confirmed subscription
 * succeeds and reaches nobody, so it must not count as delivered. ListSubscriptionsByTopic is exact
 * (GetTopicAttributes' SubscriptionsConfirmed can lag behind); a pending email subscription is
 * listed with SubscriptionArn "PendingConfirmation" (a deleting one "Deleted") and receives nothing;
 * only a subscription with a real ARN counts.
 */
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';

export type TopicReaders =
  { reachable: true; confirmed: number } | { reachable: false; pending: number; error: string };

export interface TopicReaderCheck {
  check(topicArn: string): Promise<TopicReaders>;
}

const PENDING = 'PendingConfirmation';
/** 100 subscriptions a page: far past any real list, and an end to a service that never stops paging. */
const MAX_PAGES = 50;

/**
 * Only a "someone reads it" answer is cached (for `ttlMs`, per topic, for the life of the Lambda
 * instance): a "nobody" answer or a failed look-up is asked again next time, so a subscription
 * confirmed a minute ago is seen by Lambda's retry of the event that found none.
 */
export function createTopicReaderCheck(sns: SNSClient, ttlMs: number, now: () => number): TopicReaderCheck {
  const confirmedUntil = new Map<string, { until: number; confirmed: number }>();
  async function look(topicArn: string): Promise<TopicReaders> {
    let pending = 0;
    let token: string | undefined;
    let pages = 0;
    do {
      let out;
      try {
        out = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
      } catch (err) {
        const e = err as { name?: string; message?: string };
        return {
          reachable: false,
          pending,
          error: `SNS topic ${topicArn}: could not list its subscriptions (${e.name ?? 'Error'}: ${e.message ?? ''}); check the notifier role may sns:ListSubscriptionsByTopic on it`,
        };
      }
      const subs = out.Subscriptions ?? [];
      // One confirmed reader is enough; no need to page through a large list.
      const confirmed = subs.filter((s) => s.SubscriptionArn?.startsWith('arn:')).length;
      if (confirmed > 0) return { reachable: true, confirmed };
      pending += subs.filter((s) => s.SubscriptionArn === PENDING).length;
      token = out.NextToken || undefined;
    } while (token && ++pages < MAX_PAGES);
    return {
      reachable: false,
      pending,
      error:
        `SNS topic ${topicArn} has no confirmed subscription${pending ? ` (${pending} pending confirmation)` : ''}: ` +
        'the message was published but nobody receives it; set notificationEmail and confirm the subscription email',
    };
  }
  return {
    async check(topicArn) {
      const cached = confirmedUntil.get(topicArn);
      if (cached && cached.until > now()) return { reachable: true, confirmed: cached.confirmed };
      const answer = await look(topicArn);
      if (answer.reachable)
        confirmedUntil.set(topicArn, { until: now() + ttlMs, confirmed: answer.confirmed });
      else confirmedUntil.delete(topicArn);
      return answer;
    },
  };
}
