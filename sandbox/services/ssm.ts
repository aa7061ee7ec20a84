/**
 * SSM Parameter Store (JSON 1.1): PutParameter (to seed webhook URLs and AMI ids) and GetParameter,
 * including SecureString with WithDecryption (without it AWS returns the encrypted blob, never the
 * plaintext) and a version selector (`/name:3`, as launch templates' `resolve:ssm:` references use),
 * with AWS's errors: ParameterNotFound, ParameterVersionNotFound, ParameterAlreadyExists without
 * Overwrite, ValidationException. Parameters live per region in the region's store.
 */
import { SandboxError } from '../protocol/errors';
import type { SandboxState } from '../state/account';
import type { RegionState } from '../state/region';
import type { JsonServiceHandler } from './types';

export type SsmParameterType = 'String' | 'StringList' | 'SecureString';

export interface SsmParameterVersion {
  version: number;
  type: SsmParameterType;
  value: string;
  lastModified: Date;
  keyId?: string;
}

export interface SsmParameter {
  name: string;
  /** Oldest first; the last one is the current value. */
  versions: SsmParameterVersion[];
}

const TYPES = new Set(['String', 'StringList', 'SecureString']);
const NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/;
/** The Standard tier's limit; Advanced allows 8 KB. */
const MAX_VALUE = 4096;

function parametersOf(region: RegionState): Map<string, SsmParameter> {
  return region.store('ssm', () => new Map<string, SsmParameter>());
}

/** One region's parameters by name (for tests that look inside). */
export function ssmParameters(state: SandboxState, region: string): Map<string, SsmParameter> {
  return parametersOf(state.region(region));
}

function validationError(message: string): SandboxError {
  return new SandboxError('ValidationException', message);
}

function requireName(input: Record<string, unknown>): string {
  const name = input.Name;
  if (typeof name !== 'string' || name === '') {
    throw validationError(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  }
  return name;
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw validationError(`Parameter name ${name} is not valid: only a-zA-Z0-9_.-/ are allowed`);
  }
}

function arnOf(region: string, account: string, name: string): string {
  return `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

export const ssm: JsonServiceHandler = {
  service: 'ssm',
  protocol: 'json1.1',
  targetPrefix: 'AmazonSSM',
  actions: {
    PutParameter: (input, { region }) => {
      const name = requireName(input);
      checkName(name);
      const value = input.Value;
      if (typeof value !== 'string' || value === '') {
        throw validationError(
          "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      if (value.length > MAX_VALUE) {
        throw validationError(
          `Parameter ${name}: the value is longer than ${MAX_VALUE} characters (Standard tier)`,
        );
      }
      const params = parametersOf(region);
      const existing = params.get(name);
      const current = existing?.versions.at(-1);
      if (existing && input.Overwrite !== true) {
        throw new SandboxError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        );
      }
      const type = input.Type ?? current?.type ?? 'String';
      if (typeof type !== 'string' || !TYPES.has(type)) {
        throw validationError(`Parameter ${name}: Type must be one of String, StringList, SecureString`);
      }
      const version = (current?.version ?? 0) + 1;
      const entry: SsmParameterVersion = {
        version,
        type: type as SsmParameterType,
        value,
        lastModified: new Date(),
        keyId:
          type === 'SecureString'
            ? typeof input.KeyId === 'string'
              ? input.KeyId
              : 'alias/aws/ssm'
            : undefined,
      };
      if (existing) existing.versions.push(entry);
      else params.set(name, { name, versions: [entry] });
      return { Version: version, Tier: 'Standard' };
    },
    GetParameter: (input, { state, region }) => {
      const requested = requireName(input);
      // "/name:3" selects version 3; labels are not modelled (no LabelParameterVersion here).
      const colon = requested.lastIndexOf(':');
      const name = colon > 0 ? requested.slice(0, colon) : requested;
      const selector = colon > 0 ? requested.slice(colon + 1) : undefined;
      checkName(name);
      const p = parametersOf(region).get(name);
      if (!p) throw new SandboxError('ParameterNotFound', `Parameter ${requested} not found.`);
      let v = p.versions.at(-1)!;
      if (selector !== undefined) {
        const found = /^\d+$/.test(selector)
          ? p.versions.find((x) => x.version === Number(selector))
          : undefined;
        if (!found) {
          throw new SandboxError(
            'ParameterVersionNotFound',
            `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`,
          );
        }
        v = found;
      }
      const decrypt = input.WithDecryption === true;
      // Without decryption AWS hands back the KMS ciphertext; a stand-in that is clearly not the value.
      const value =
        v.type === 'SecureString' && !decrypt
          ? Buffer.from(`sandbox-kms:${v.keyId ?? ''}:${v.version}:${name}`).toString('base64')
          : v.value;
      return {
        Parameter: {
          Name: name,
          Type: v.type,
          Value: value,
          Version: v.version,
          ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
          LastModifiedDate: v.lastModified.getTime() / 1000,
          ARN: arnOf(region.name, state.accountId, name),
          DataType: 'text',
        },
      };
    },
  },
};
