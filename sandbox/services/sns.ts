/**
 * SNS (AWS query): CreateTopic (to seed), Publish recording every message, and the checks AWS makes
 * on Publish: the topic must exist (NotFound), the message must not be empty or over 256 KB, and a
 * Subject must be ASCII without line breaks or control characters and less than 100 characters
 * (InvalidParameter). Topics and messages live per region in the region's store.
 */
import { SandboxError } from '../protocol/errors';
import type { SandboxState } from '../state/account';
import type { RegionState } from '../state/region';
import type { QueryServiceHandler } from './types';

export interface SnsMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
}

export interface SnsStore {
  topics: Set<string>;
  messages: SnsMessage[];
}

function storeOf(region: RegionState): SnsStore {
  return region.store<SnsStore>('sns', () => ({ topics: new Set(), messages: [] }));
}

/** One region's topics and published messages (for tests and the demo to read). */
export function snsStore(state: SandboxState, region: string): SnsStore {
  return storeOf(state.region(region));
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
      storeOf(region).topics.add(arn);
      return { TopicArn: arn };
    },
    Publish: (params, { region, requestId }) => {
      const store = storeOf(region);
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
      store.messages.push({ messageId, topicArn, subject, message });
      return { MessageId: messageId };
    },
  },
};
