/** Publishes the SNS (email) form of a notification to the notification topic. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DeliveryResult } from './types';

export async function publishToTopic(
  sns: SNSClient,
  topicArn: string,
  message: { subject: string; message: string },
): Promise<DeliveryResult> {
  try {
    // The SDK retries throttling and 5xx itself; what reaches us here is final.
    const out = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: message.subject, Message: message.message }),
    );
    return { destination: 'sns', ok: true, attempts: out.$metadata.attempts ?? 1 };
  } catch (err) {
    const e = err as {
      name?: string;
      message?: string;
      $metadata?: { attempts?: number; httpStatusCode?: number };
    };
    return {
      destination: 'sns',
      ok: false,
      attempts: e.$metadata?.attempts ?? 1,
      status: e.$metadata?.httpStatusCode,
      error: `SNS topic ${topicArn}: Publish failed (${e.name ?? 'Error'}: ${e.message ?? ''}); check the topic exists and the notifier role may sns:Publish to it`,
    };
  }
}
