/**
 * The real cleanup handler on the local account, with an instance whose image id EC2 did not give:
 * it runs from some AMI, so the run refuses rather than guess which.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { handler } from '../../../functions/cleanup/handler';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { DAY, MINUTE, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('cleanup and an instance without an image id', () => {
  it('refuses to delete anything and names the instance', async () => {
    const region = sandbox.state.region('ap-southeast-2');
    const old = region.addImage({
      name: 'old',
      creationDate: stamp(90 * DAY),
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    });
    const mystery = region.addInstance({ imageId: '', state: 'running' });

    useSandboxEnv(sandbox, { REGIONS: 'ap-southeast-2', DRY_RUN: 'false' }, 'cleanup');
    const { summaries, logs } = await invoke(handler);

    expect(region.getImage(old.id)).toBeDefined();
    expect(summaries[0]!.counts).toMatchObject({ refused: 1, deleted: 0 });
    const refusal = logs.find((l) => l.type === 'refused');
    expect(refusal?.message).toEqual(
      expect.stringContaining(`instance ${mystery.id} (running): no image id was read`),
    );
  });
});
