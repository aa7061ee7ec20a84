import { describe, expect, it } from '@jest/globals';

import { restoreLowerBound } from '../../../bench/scale-restore';
import { total } from '../../../bench/bounds';

describe('restoreLowerBound', () => {
  it('reads once per run and starts, records and unmarks every instance once, in the batches the API allows', () => {
    const bound = restoreLowerBound(3000, 2);
    expect(bound).toEqual({
      'sts:GetCallerIdentity': 2,
      'autoscaling:DescribeAutoScalingGroups': 2,
      'ec2:DescribeInstances': 6,
      'ec2:StartInstances': 30,
      'ec2:CreateTags': 3,
      'ec2:DeleteTags': 3,
      'ec2:DescribeAddresses': 2,
      'events:PutEvents': 2,
      'ssm:DescribeMaintenanceWindows': 2,
    });
    expect(total(bound)).toBe(50);
  });
});

// The start-of-day restore itself is test/e2e/bench/scale-restore.test.ts (on a virtual clock).
