/**
 * The outage rule end to end: the real tagger and cleanup handlers against the sandbox, after the
 * tagger was down for two days with a 1-day retention.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { handler as cleanup } from '../../../functions/cleanup/handler';
import { handler as tagger } from '../../../functions/tagger/handler';
import { DAY, MINUTE, decisionsFor, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('tagger and cleanup after a tagger outage', () => {
  it('the tagger records the end of the outage, and cleanup keeps the AMI a retention from then; a watched AMI goes as before', async () => {
    const region = sandbox.state.region('eu-west-1');
    // Both unused for 20 days by their tags. The tagger's last run over `blind` was 2 days ago (it
    // was down; an instance may have run the AMI meanwhile); over `watched`, 20 minutes ago.
    const blind = region.addImage({
      name: 'blind',
      creationDate: stamp(90 * DAY),
      tags: { AutoCleanup: 'true', LastUsed: stamp(20 * DAY), LastUsedRuntime: stamp(2 * DAY) },
    });
    const watched = region.addImage({
      name: 'watched',
      creationDate: stamp(90 * DAY),
      tags: { AutoCleanup: 'true', LastUsed: stamp(20 * DAY), LastUsedRuntime: stamp(20 * MINUTE) },
    });
    const settings = { REGIONS: 'eu-west-1', RETENTION_DAYS: '1', FRESHNESS_MINUTES: '60' };

    useSandboxEnv(sandbox, settings, 'tagger');
    const tagged = await invoke(tagger);
    const blindTags = region.tagsOf(blind.id)!;
    expect(blindTags.LastUsedObservedSince).toBe(blindTags.LastUsedRuntime);
    expect(Date.now() - Date.parse(blindTags.LastUsedObservedSince!)).toBeLessThan(5 * MINUTE);
    expect(region.tagsOf(watched.id)!.LastUsedObservedSince).toBeUndefined();
    expect(decisionsFor(tagged.logs, blind.id)[0]!.reason).toMatch(
      /LastUsedRuntime \S+ was 2 days old > 60 min, so its use was not observed until now: LastUsedObservedSince set to/,
    );
    // Two tag sets, one call each; the new key was written in the same call as LastUsedRuntime.
    expect(sandbox.requests.count('ec2', 'CreateTags')).toBe(2);
    expect(tagged.summaries[0]!.counts).toMatchObject({ taggedRuntime: 2, taggedObservedSince: 1 });

    useSandboxEnv(sandbox, { ...settings, DRY_RUN: 'false' }, 'cleanup');
    const cleaned = await invoke(cleanup);
    expect(region.getImage(blind.id)).toBeDefined();
    expect(region.getImage(watched.id)).toBeUndefined();
    const kept = decisionsFor(cleaned.logs, blind.id)[0]!;
    expect(kept.action).toBe('plan-keep');
    expect(kept.reason).toMatch(
      /use not observed until LastUsedObservedSince \S+ .*within the 1 day retention/,
    );
  });

  it('a freshness window outside its bounds fails the tagger run, naming the setting', async () => {
    useSandboxEnv(sandbox, { REGIONS: 'eu-west-1', RETENTION_DAYS: '1', FRESHNESS_MINUTES: '720' }, 'tagger');
    await expect(invoke(tagger)).rejects.toThrow(
      'FRESHNESS_MINUTES="720" is not valid: expected at most a quarter of the retention (RETENTION_DAYS=1: <= 360 minutes)',
    );
  });
});
