/**
 * SSM Parameter Store (JSON 1.1): PutParameter (to seed webhook URLs) and GetParameter, including
 * SecureString with WithDecryption (without it AWS returns the encrypted blob, never the plaintext),
 * and AWS's errors: ParameterNotFound, ParameterAlreadyExists without Overwrite, ValidationException.
 * Parameters live per sandbox and region, beside the sandbox state.
 */
import { SandboxError } from '../protocol/errors';
import type { SandboxState } from '../state/account';
import type { JsonServiceHandler } from './types';

export interface SsmParameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  lastModified: Date;
  keyId?: string;
}

const TYPES = new Set(['String', 'StringList', 'SecureString']);
const NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/;
/** The Standard tier's limit; Advanced allows 8 KB. */
const MAX_VALUE = 4096;

const byState = new WeakMap<SandboxState, Map<string, SsmParameter>>();

/** The parameters of one sandbox, keyed by `region|name` (for tests that look inside). */
export function ssmParameters(state: SandboxState): Map<string, SsmParameter> {
  let map = byState.get(state);
  if (!map) byState.set(state, (map = new Map()));
  return map;
}

function nameOf(input: Record<string, unknown>): string {
  const name = input.Name;
  if (typeof name !== 'string' || name === '') {
    throw new SandboxError(
      'ValidationException',
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  }
  if (!NAME.test(name)) {
    throw new SandboxError(
      'ValidationException',
      `Parameter name ${name} is not valid: only a-zA-Z0-9_.-/ are allowed`,
    );
  }
  return name;
}

function arnOf(region: string, account: string, name: string): string {
  return `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

export const ssm: JsonServiceHandler = {
  service: 'ssm',
  protocol: 'json1.1',
  targetPrefix: 'AmazonSSM',
  actions: {
    PutParameter: (input, { state, region }) => {
      const name = nameOf(input);
      const value = input.Value;
      if (typeof value !== 'string' || value === '') {
        throw new SandboxError(
          'ValidationException',
          "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      if (value.length > MAX_VALUE) {
        throw new SandboxError(
          'ValidationException',
          `Parameter ${name}: the value is longer than ${MAX_VALUE} characters (Standard tier)`,
        );
      }
      const params = ssmParameters(state);
      const key = `${region.name}|${name}`;
      const existing = params.get(key);
      if (existing && input.Overwrite !== true) {
        throw new SandboxError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        );
      }
      const type = input.Type ?? existing?.type ?? 'String';
      if (typeof type !== 'string' || !TYPES.has(type)) {
        throw new SandboxError(
          'ValidationException',
          `Parameter ${name}: Type must be one of String, StringList, SecureString`,
        );
      }
      const version = (existing?.version ?? 0) + 1;
      params.set(key, {
        name,
        type: type as SsmParameter['type'],
        value,
        version,
        lastModified: new Date(),
        keyId:
          type === 'SecureString'
            ? typeof input.KeyId === 'string'
              ? input.KeyId
              : 'alias/aws/ssm'
            : undefined,
      });
      return { Version: version, Tier: 'Standard' };
    },
    GetParameter: (input, { state, region }) => {
      const name = nameOf(input);
      const p = ssmParameters(state).get(`${region.name}|${name}`);
      if (!p) throw new SandboxError('ParameterNotFound', `Parameter ${name} not found.`);
      const decrypt = input.WithDecryption === true;
      // Without decryption AWS hands back the KMS ciphertext; a stand-in that is clearly not the value.
      const value =
        p.type === 'SecureString' && !decrypt
          ? Buffer.from(`sandbox-kms:${p.keyId ?? ''}:${p.version}:${p.name}`).toString('base64')
          : p.value;
      return {
        Parameter: {
          Name: p.name,
          Type: p.type,
          Value: value,
          Version: p.version,
          LastModifiedDate: p.lastModified.getTime() / 1000,
          ARN: arnOf(region.name, state.accountId, p.name),
          DataType: 'text',
        },
      };
    },
  },
};
