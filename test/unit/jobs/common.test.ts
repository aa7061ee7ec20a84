import { describe, expect, it } from '@jest/globals';
import type { STSClient } from '@aws-sdk/client-sts';

import { readWithAccountId, startSummary } from '../../../shared/jobs/common';

/** An STS double answering GetCallerIdentity with `account`; it records what was sent. */
function sts(account: string | undefined, sent: string[]) {
  return {
    send: async (command: { constructor: { name: string } }) => {
      sent.push(command.constructor.name);
      return { Account: account };
    },
  } as unknown as STSClient;
}

const summary = () =>
  startSummary('scale-to-zero', 'eu-west-1', { now: new Date('2026-11-30T12:00:00Z') }, false).summary;

describe('readWithAccountId', () => {
  it("sets the summary's account from STS, asked beside the inventory, and returns the inventory", async () => {
    const sent: string[] = [];
    const s = summary();
    const inventory = await readWithAccountId({ sts: sts('123456789012', sent) }, s, async () => {
      sent.push('inventory');
      return { accountId: '999999999999' };
    });
    expect(inventory).toEqual({ accountId: '999999999999' });
    expect(s.accountId).toBe('123456789012');
    expect(sent).toEqual(['GetCallerIdentityCommand', 'inventory']);
  });

  it("falls back to the inventory's account, or to none, when STS names no account", async () => {
    const withFallback = summary();
    await readWithAccountId(
      { sts: sts(undefined, []) },
      withFallback,
      async () => ({ accountId: '999999999999' }),
      (inv) => inv.accountId,
    );
    expect(withFallback.accountId).toBe('999999999999');
    const without = summary();
    await readWithAccountId({ sts: sts(undefined, []) }, without, async () => ({}));
    expect(without.accountId).toBe('');
  });

  it('leaves the account empty when the inventory cannot be read', async () => {
    const s = summary();
    await expect(
      readWithAccountId({ sts: sts('123456789012', []) }, s, async () => {
        throw new Error('AccessDenied: autoscaling:DescribeAutoScalingGroups');
      }),
    ).rejects.toThrow('AccessDenied: autoscaling:DescribeAutoScalingGroups');
    expect(s.accountId).toBe('');
  });
});
