/** Reading the Recycle Bin rules through the two calls, with a scripted transport. */
import { describe, expect, it } from '@jest/globals';

import {
  RecycleBinError,
  readRecycleBinRules,
  type RecycleBinCalls,
  type WireRule,
} from '../../../shared/aws/recycle-bin';

function scripted(
  pages: Record<string, { Identifier: string }[][]>,
  rules: Record<string, WireRule | Error>,
) {
  const log: string[] = [];
  const calls: RecycleBinCalls = {
    listRules: async ({ ResourceType, NextToken }) => {
      log.push(`ListRules ${ResourceType} ${NextToken ?? '-'}`);
      const all = pages[ResourceType] ?? [[]];
      const i = NextToken ? Number(NextToken) : 0;
      return { Rules: all[i], ...(i + 1 < all.length ? { NextToken: String(i + 1) } : {}) };
    },
    getRule: async (id) => {
      log.push(`GetRule ${id}`);
      const r = rules[id];
      if (r instanceof Error) throw r;
      return r!;
    },
  };
  return { calls, log };
}

const wire = (id: string, over: Partial<WireRule> = {}): WireRule => ({
  Identifier: id,
  ResourceType: 'EC2_IMAGE',
  RetentionPeriod: { RetentionPeriodValue: 7, RetentionPeriodUnit: 'DAYS' },
  Status: 'available',
  ...over,
});

describe('readRecycleBinRules', () => {
  it('follows NextToken for each type, then reads each rule once', async () => {
    const { calls, log } = scripted(
      {
        EC2_IMAGE: [[{ Identifier: 'img1' }], [{ Identifier: 'img2' }]],
        EBS_SNAPSHOT: [[{ Identifier: 'snap1' }]],
      },
      {
        img1: wire('img1', { ResourceTags: [{ ResourceTagKey: 'Team' }] }),
        img2: wire('img2', { LockState: 'pending_unlock', LockEndTime: 1_796_000_000 }),
        snap1: wire('snap1', {
          ResourceType: 'EBS_SNAPSHOT',
          ExcludeResourceTags: [{ ResourceTagKey: 'Scratch', ResourceTagValue: 'yes' }],
        }),
      },
    );
    const read = await readRecycleBinRules(calls);
    expect(log).toEqual([
      'ListRules EC2_IMAGE -',
      'ListRules EC2_IMAGE 1',
      'GetRule img1',
      'GetRule img2',
      'ListRules EBS_SNAPSHOT -',
      'GetRule snap1',
    ]);
    expect(read).toEqual({
      kind: 'read',
      rules: [
        expect.objectContaining({ id: 'img1', resourceTags: [{ key: 'Team' }], lockState: 'none' }),
        expect.objectContaining({
          id: 'img2',
          lockState: 'pending_unlock',
          lockEndTime: new Date(1_796_000_000_000),
        }),
        expect.objectContaining({
          id: 'snap1',
          resourceType: 'EBS_SNAPSHOT',
          excludeTags: [{ key: 'Scratch', value: 'yes' }],
        }),
      ],
    });
  });

  it('a rule deleted between ListRules and GetRule is simply not there', async () => {
    const { calls } = scripted(
      { EC2_IMAGE: [[{ Identifier: 'gone' }, { Identifier: 'kept' }]] },
      {
        gone: new RecycleBinError('ResourceNotFoundException', 'Rule gone not found', 404),
        kept: wire('kept'),
      },
    );
    const read = await readRecycleBinRules(calls);
    expect(read.kind === 'read' && read.rules.map((r) => r.id)).toEqual(['kept']);
  });

  it('leaves out a rule whose retention is not a number of days (it can only look less covered)', async () => {
    const { calls } = scripted(
      { EC2_IMAGE: [[{ Identifier: 'odd' }]] },
      { odd: wire('odd', { RetentionPeriod: { RetentionPeriodValue: 2, RetentionPeriodUnit: 'WEEKS' } }) },
    );
    expect(await readRecycleBinRules(calls)).toEqual({ kind: 'read', rules: [] });
  });

  it('any other failure makes the whole read failed, naming the call', async () => {
    const { calls } = scripted(
      { EC2_IMAGE: [[{ Identifier: 'x' }]] },
      { x: new RecycleBinError('AccessDeniedException', 'not authorized to perform: rbin:GetRule', 403) },
    );
    expect(await readRecycleBinRules(calls)).toEqual({
      kind: 'failed',
      message: 'GetRule x failed: AccessDeniedException: not authorized to perform: rbin:GetRule',
    });
  });
});
