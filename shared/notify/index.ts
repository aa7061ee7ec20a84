/** The notifier's public surface for the handler, the demo (demo/notifications.ts) and tests. */
export { normaliseEvent, SUPPORTED_EVENTS, type NormaliseOptions } from './normalise';
export { formatSlack, escapeSlack, SLACK_LIMITS } from './format/slack';
export { formatTeams, escapeMarkdown } from './format/teams';
export { formatSns, SNS_LIMITS } from './format/sns';
export { createWebhookSecrets, type WebhookSecrets } from './secrets';
export { createIncidentStore, type IncidentStore, type Claim, type ClaimAttempt } from './dedupe';
export { WebhookPoster, DEFAULT_WEBHOOK_OPTIONS, parseRetryAfter } from './deliver/webhook';
export type { DeliveryResult } from './deliver/types';
export { createTopicReaderCheck, type TopicReaderCheck, type TopicReaders } from './deliver/readers';
export { parseNotifierSettings, type NotifierSettings } from './settings';
export { createDigestStore, type DigestStore, type WeekTotals, type WeekPart } from './digest/store';
export { digestNotification } from './digest/message';
export { previousWeek, weekStart } from './digest/week';
export {
  notifyEvent,
  DIGEST_DUE,
  DeliveryFailedError,
  type InvocationInfo,
  type NotifierDeps,
  type NotifyOutcome,
} from './notifier';
export type { EventBridgeEvent, Notification, Severity } from './types';
