/**
 * SNS (AWS query): CreateTopic (to seed), Publish recording every message, and the checks AWS makes
 * on Publish: the topic must exist (NotFound), the message must not be empty or over 256 KB, and a
 * Subject must be ASCII without line breaks or control characters and less than 100 characters
 * (InvalidParameter). Topics and messages live per sandbox, beside the sandbox state.
 */
import { SandboxError } from '../protocol/errors';
import type { SandboxState } from '../state/account';
import type { QueryServiceHandler } from './types';

export interface SnsMessage {
  messageId: string;
  topicArn: string;
  region: string;
  subject?: string;
  message: string;
}

export interface SnsStore {
  topics: Set<string>;
  messages: SnsMessage[];
}

const byState = new WeakMap<SandboxState, SnsStore>();

/** Topics and published messages of one sandbox (for tests and the demo to read). */
export function snsStore(state: SandboxState): SnsStore {
  let store = byState.get(state);
  if (!store) byState.set(state, (store = { topics: new Set(), messages: [] }));
  return store;
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_MESSAGE_BYTES = 262_144;

function invalid(what: string): SandboxError {
  return new SandboxError('InvalidParameter', `Invalid parameter: ${what}`);
}

export const sns: QueryServiceHandler = {
  service: 'sns',
  protocol: 'query',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  actions: {
    CreateTopic: (params, { state, region }) => {
      const name = params.get('Name') ?? '';
      if (!TOPIC_NAME.test(name)) {
        throw invalid('Topic Name: must be 1-256 characters of letters, numbers, hyphens and underscores');
      }
      const arn = `arn:aws:sns:${region.name}:${state.accountId}:${name}`;
      snsStore(state).topics.add(arn);
      return { TopicArn: arn };
    },
    Publish: (params, { state, region, requestId }) => {
      const store = snsStore(state);
      const topicArn = params.get('TopicArn') ?? params.get('TargetArn');
      if (!topicArn) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
      if (!store.topics.has(topicArn)) throw new SandboxError('NotFound', 'Topic does not exist', 404);
      const message = params.get('Message') ?? '';
      if (message === '') throw invalid('Empty message');
      if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw invalid('Message too long');
      const subject = params.get('Subject');
      if (subject !== undefined) {
        const bad =
          subject === '' || subject.length >= 100 || /[^\x20-\x7e]/.test(subject) || /^\s/.test(subject);
        if (bad) throw invalid('Subject');
      }
      const messageId = `${requestId.slice(0, 24)}${String(store.messages.length + 1).padStart(12, '0')}`;
      store.messages.push({ messageId, topicArn, region: region.name, subject, message });
      return { MessageId: messageId };
    },
  },
};
