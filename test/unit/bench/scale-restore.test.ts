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
      'rds:DescribeDBInstances': 2,
    });
    expect(total(bound)).toBe(54);
  });

  it('records per run: a run tags and unmarks only what it started, 1000 a call', () => {
    // 1100 then 900: 2 + 1 tag calls, where one run could have done it in 2.
    const bound = restoreLowerBound(2000, 2, [1100, 900]);
    expect(bound['ec2:CreateTags']).toBe(3);
    expect(bound['ec2:DeleteTags']).toBe(3);
    expect(bound['ec2:StartInstances']).toBe(20);
  });
});

// The start-of-day restore itself is test/e2e/bench/scale-restore.test.ts (on a virtual clock).
