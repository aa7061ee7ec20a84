/**
 * DescribeInstanceTypes: a small table of instance types with AutoRecoverySupported (what the
 * recovery function asks), InstanceType.N (an unknown type is InvalidInstanceType, as EC2 says),
 * the `instance-type` and `auto-recovery-supported` filters, MaxResults 5-100 with NextToken.
 * Tests change the table per region with instanceTypesOf(region).
 */
import { SandboxError } from '../../protocol/errors';
import { optionalInt } from '../../protocol/form';
import { checkRange, pageOfArray } from '../../protocol/pagination';
import { items } from '../../protocol/xml';
import type { RegionState } from '../../state/region';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList } from './common';

export interface InstanceTypeRecord {
  instanceType: string;
  autoRecoverySupported: boolean;
}

/** A few real types and AWS's answer for them (i3/d2 have instance-store; EBS-only types recover). */
const DEFAULT_TYPES: InstanceTypeRecord[] = [
  { instanceType: 't3.micro', autoRecoverySupported: true },
  { instanceType: 't3.small', autoRecoverySupported: true },
  { instanceType: 'm5.large', autoRecoverySupported: true },
  { instanceType: 'c5.xlarge', autoRecoverySupported: true },
  { instanceType: 'r5.large', autoRecoverySupported: true },
  { instanceType: 'm5d.large', autoRecoverySupported: false },
  { instanceType: 'i3.large', autoRecoverySupported: false },
  { instanceType: 'd2.xlarge', autoRecoverySupported: false },
];

/** The region's instance types by name (a test may add or change one). */
export function instanceTypesOf(region: RegionState): Map<string, InstanceTypeRecord> {
  return region.store(
    'ec2-instance-types',
    () => new Map(DEFAULT_TYPES.map((t) => [t.instanceType, { ...t }])),
  );
}

const FIELDS: FieldReaders<InstanceTypeRecord> = {
  'instance-type': (t) => t.instanceType,
  'auto-recovery-supported': (t) => String(t.autoRecoverySupported),
};

const describeInstanceTypes: QueryAction = (params, { region }) => {
  const wanted = idList(params, 'InstanceType');
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('maxResults', maxResults, 5, 100);
  const table = instanceTypesOf(region);
  const unknown = wanted.filter((t) => !table.has(t));
  if (unknown.length > 0) {
    throw new SandboxError(
      'InvalidInstanceType',
      `The following supplied instance types do not exist: [${unknown.join(', ')}]`,
    );
  }
  const keep = compileFilters(ec2Filters(params), FIELDS, () => ({}));
  const all = (wanted.length > 0 ? wanted.map((t) => table.get(t)!) : [...table.values()])
    .filter(keep)
    .sort((a, b) => a.instanceType.localeCompare(b.instanceType));
  const page = pageOfArray(all, params.get('NextToken'), maxResults ?? 100);
  return {
    instanceTypeSet: items(
      page.items.map((t) => ({
        instanceType: t.instanceType,
        autoRecoverySupported: t.autoRecoverySupported,
      })),
    ),
    nextToken: page.nextToken,
  };
};

export const instanceTypeActions = { DescribeInstanceTypes: describeInstanceTypes };
