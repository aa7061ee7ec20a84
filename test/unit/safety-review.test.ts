/**
 * Safety review of the AMI deletion path: each test pins down one way an AMI or snapshot could be
 * deleted when it should not be, or a tag could vouch for something the run did not see.
 */
import { describe, expect, it } from '@jest/globals';

import { taggerWrites } from '../../shared/aws/tagging';
import { planTagging } from '../../shared/plan/tagging';
import { NOW, image, usageOf } from './plan/fixtures';

describe('tagger: LastUsedRuntime only vouches for AMIs whose usage the run could read', () => {
  // A launch configuration names its image through an SSM parameter the run could not read: the
  // AMI behind it may be ami-idle, whose LastUsed then was not refreshed.
  const usage = usageOf({
    instances: [{ id: 'i-1', imageId: 'ami-used', state: 'running' }],
    launchConfigurations: [{ name: 'lc-ssm', imageId: 'resolve:ssm:/golden/unreadable' }],
  });
  const plan = planTagging({ images: [image('ami-used'), image('ami-idle')], usage, now: NOW });

  it('does not stamp LastUsedRuntime on an AMI that an unresolved reference could be using', () => {
    expect(plan.runtime).toEqual(['ami-used']);
    expect(plan.lastUsed).toEqual(['ami-used']);
    const written = taggerWrites(plan.lastUsed, plan.runtime, NOW).flatMap((w) => w.resourceIds);
    expect(written).not.toContain('ami-idle');
  });

  it('says why ami-idle was not stamped', () => {
    const d = plan.decisions.find((x) => x.imageId === 'ami-idle');
    expect(d).toEqual({
      imageId: 'ami-idle',
      action: 'skip',
      reason:
        'not in use as far as this run could tell, but 1 usage reference(s) could not be resolved and could ' +
        'point at it: LastUsedRuntime not refreshed, LastUsed left as it was',
    });
  });

  it('still stamps every taggable AMI when all references resolve', () => {
    const clean = planTagging({
      images: [image('ami-used'), image('ami-idle')],
      usage: usageOf({ instances: [{ id: 'i-1', imageId: 'ami-used', state: 'running' }] }),
      now: NOW,
    });
    expect(clean.runtime).toEqual(['ami-idle', 'ami-used']);
  });
});
