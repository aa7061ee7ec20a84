/**
 * SSM Parameter Store (JSON 1.1): PutParameter (to seed webhook URLs and AMI ids), GetParameter,
 * GetParameters (up to 10 names, unknown ones in InvalidParameters), DescribeParameters (metadata
 * only, ParameterFilters on Name/Type/DataType, MaxResults up to 50 with NextToken), and DataType
 * (`text`, or `aws:ec2:image`, whose value must look like an AMI id),
 * including SecureString with WithDecryption (without it AWS returns the encrypted blob, never the
 * plaintext) and a version selector (`/name:3`, as launch templates' `resolve:ssm:` references use),
 * with AWS's errors: ParameterNotFound, ParameterVersionNotFound, ParameterAlreadyExists without
 * Overwrite, ValidationException. Parameters live per region in the region's store.
 */
import { SandboxError } from '../protocol/errors';
import { checkRange, pageOfArray } from '../protocol/pagination';
import type { SandboxState } from '../state/account';
import type { RegionState } from '../state/region';
import { maintenanceWindowActions } from './ssm-maintenance-windows';
import type { JsonServiceHandler } from './types';

export type SsmParameterType = 'String' | 'StringList' | 'SecureString';

export interface SsmParameterVersion {
  version: number;
  type: SsmParameterType;
  value: string;
  lastModified: Date;
  keyId?: string;
  /** text | aws:ec2:image | aws:ssm:integration */
  dataType: string;
}

export interface SsmParameter {
  name: string;
  /** Oldest first; the last one is the current value. */
  versions: SsmParameterVersion[];
}

const TYPES = new Set(['String', 'StringList', 'SecureString']);
const DATA_TYPES = new Set(['text', 'aws:ec2:image', 'aws:ssm:integration']);
/** What PutParameter accepts for an aws:ec2:image value (AWS also checks the AMI exists, later). */
const AMI_VALUE = /^ami-[0-9a-f]{8,17}$/;
const GET_PARAMETERS_MAX = 10;
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

/** DescribeParameters' ParameterFilters: Name, Type and DataType, with Equals (default) or BeginsWith. */
function parameterFilters(raw: unknown): (p: SsmParameter) => boolean {
  if (raw === undefined) return () => true;
  if (!Array.isArray(raw)) throw validationError('ParameterFilters must be a list');
  const tests = raw.map((f: unknown) => {
    const { Key: key, Option: option = 'Equals', Values: values } = (f ?? {}) as Record<string, unknown>;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      throw validationError(`ParameterFilters ${String(key)}: Values must be a non-empty list of strings`);
    }
    const read: Record<string, (p: SsmParameter) => string> = {
      Name: (p) => p.name,
      Type: (p) => p.versions.at(-1)!.type,
      DataType: (p) => p.versions.at(-1)!.dataType,
    };
    const field = typeof key === 'string' ? read[key] : undefined;
    if (!field)
      throw new SandboxError('InvalidFilterKey', `The filter key ${String(key)} is not supported here`);
    if (option !== 'Equals' && option !== 'BeginsWith') {
      throw new SandboxError(
        'InvalidFilterOption',
        `The filter option ${String(option)} is not valid for ${key}`,
      );
    }
    const wanted = values as string[];
    return (p: SsmParameter) => {
      const value = field(p);
      return wanted.some((w) => (option === 'Equals' ? value === w : value.startsWith(w)));
    };
  });
  return (p) => tests.every((t) => t(p));
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
      const dataType = input.DataType ?? current?.dataType ?? 'text';
      if (typeof dataType !== 'string' || !DATA_TYPES.has(dataType)) {
        throw validationError(
          `Parameter ${name}: DataType must be one of text, aws:ec2:image, aws:ssm:integration`,
        );
      }
      if (dataType === 'aws:ec2:image' && !AMI_VALUE.test(value)) {
        throw validationError(
          `Parameter ${name}: a value of data type aws:ec2:image must be an AMI id such as ami-12345abcdeEXAMPLE`,
        );
      }
      const version = (current?.version ?? 0) + 1;
      const entry: SsmParameterVersion = {
        version,
        type: type as SsmParameterType,
        value,
        dataType,
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
          DataType: v.dataType,
        },
      };
    },
    GetParameters: (input, { state, region }) => {
      const names = input.Names;
      if (!Array.isArray(names) || names.length === 0 || names.length > GET_PARAMETERS_MAX) {
        throw validationError(
          `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and ${GET_PARAMETERS_MAX}`,
        );
      }
      const store = parametersOf(region);
      const found: unknown[] = [];
      const invalid: string[] = [];
      for (const requested of names) {
        if (typeof requested !== 'string') throw validationError("Value at 'names' must be strings");
        // Selectors are not modelled here (GetParameter has them): a name is read at its current version.
        const p = store.get(requested);
        if (!p) {
          invalid.push(requested);
          continue;
        }
        const v = p.versions.at(-1)!;
        const value =
          v.type === 'SecureString' && input.WithDecryption !== true
            ? Buffer.from(`sandbox-kms:${v.keyId ?? ''}:${v.version}:${requested}`).toString('base64')
            : v.value;
        found.push({
          Name: requested,
          Type: v.type,
          Value: value,
          Version: v.version,
          LastModifiedDate: v.lastModified.getTime() / 1000,
          ARN: arnOf(region.name, state.accountId, requested),
          DataType: v.dataType,
        });
      }
      return { Parameters: found, InvalidParameters: invalid };
    },
    DescribeParameters: (input, { region }) => {
      const maxResults = input.MaxResults;
      if (maxResults !== undefined && typeof maxResults !== 'number') {
        throw validationError('MaxResults must be a number');
      }
      try {
        checkRange('MaxResults', maxResults, 1, 50);
      } catch {
        throw validationError(
          `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`,
        );
      }
      const matches = parameterFilters(input.ParameterFilters);
      const all = [...parametersOf(region).values()].filter(matches);
      const token = typeof input.NextToken === 'string' ? input.NextToken : undefined;
      const page = pageOfArray(all, token, maxResults ?? 50);
      return {
        Parameters: page.items.map((p) => {
          const v = p.versions.at(-1)!;
          return {
            Name: p.name,
            ARN: arnOf(region.name, region.accountId, p.name),
            Type: v.type,
            Version: v.version,
            LastModifiedDate: v.lastModified.getTime() / 1000,
            DataType: v.dataType,
            Tier: 'Standard',
            Policies: [],
            ...(v.keyId !== undefined ? { KeyId: v.keyId } : {}),
          };
        }),
        ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
      };
    },
    // Maintenance windows and their schedule (scale-to-zero's patch windows): their own module.
    ...maintenanceWindowActions,
  },
};
