/**
 * Cleanup's role and the Recycle Bin, as the local account enforces it: the role reads the rules
 * (rbin:ListRules, rbin:GetRule on the account's rules) and can change none of them; another
 * function's role is refused with AWS's AccessDeniedException.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { seedRecycleBinRule } from '../../../sandbox/services/rbin';
import { createClients, destroyClients } from '../../../shared/aws/clients';
import { readRecycleBinRules, recycleBinCalls } from '../../../shared/aws/recycle-bin';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
  const region = sandbox.state.region('eu-west-1');
  seedRecycleBinRule(region, {
    resourceType: 'EC2_IMAGE',
    retentionDays: 14,
    resourceTags: [{ key: 'Team' }],
  });
  seedRecycleBinRule(region, { resourceType: 'EBS_SNAPSHOT', retentionDays: 21, lockState: 'locked' });
});
afterAll(async () => {
  await sandbox.close();
});

async function readAs(caller: 'cleanup' | 'tagger') {
  const clients = createClients('eu-west-1', { credentials: sandbox.credentials(caller), maxAttempts: 1 });
  try {
    return await readRecycleBinRules(recycleBinCalls(clients, { AWS_ENDPOINT_URL: sandbox.url }));
  } finally {
    destroyClients(clients);
  }
}

describe("cleanup's role and the Recycle Bin", () => {
  it('allows reading the rules: ListRules for both types and GetRule per rule', async () => {
    sandbox.requests.reset();
    const read = await readAs('cleanup');
    expect(read).toMatchObject({
      kind: 'read',
      rules: [
        {
          resourceType: 'EC2_IMAGE',
          retentionDays: 14,
          resourceTags: [{ key: 'Team' }],
          status: 'available',
        },
        { resourceType: 'EBS_SNAPSHOT', retentionDays: 21, lockState: 'locked', resourceTags: [] },
      ],
    });
    expect(sandbox.requests.errors()).toEqual([]);
    expect(sandbox.requests.count('rbin', 'ListRules')).toBe(2);
    expect(sandbox.requests.count('rbin', 'GetRule')).toBe(2);
  });

  it("refuses another function's role with AccessDeniedException", async () => {
    const read = await readAs('tagger');
    expect(read).toEqual({
      kind: 'failed',
      message: expect.stringMatching(
        /^ListRules EC2_IMAGE failed: AccessDeniedException: User: arn:aws:sts::\d+:assumed-role\/.*tagger is not authorized to perform: rbin:ListRules/,
      ),
    });
  });

  it('allows nothing that changes a rule', async () => {
    const iam = sandbox.iam!;
    const principal = iam.principalFor(sandbox.credentials('cleanup').accessKeyId);
    if (principal.kind !== 'role') throw new Error('cleanup signs as its role');
    const arn = `arn:aws:rbin:eu-west-1:${sandbox.state.accountId}:rule/a1B2c3D4e5F`;
    for (const action of [
      'CreateRule',
      'UpdateRule',
      'DeleteRule',
      'LockRule',
      'UnlockRule',
      'TagResource',
    ]) {
      const denial = await iam.firstDenial(principal, [
        { action: `rbin:${action}`, resource: action === 'CreateRule' ? '*' : arn, context: {} },
      ]);
      expect(denial?.check.action).toBe(`rbin:${action}`);
    }
    expect(
      await iam.firstDenial(principal, [{ action: 'rbin:GetRule', resource: arn, context: {} }]),
    ).toBeUndefined();
  });
});
