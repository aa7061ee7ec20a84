/**
 * EC2's LastLaunchedTime in the cleanup plan: an AMI's last activity is the latest of LastUsed,
 * LastLaunchedTime and its creation; one in the future, or unreadable, keeps the AMI and is reported.
 */
import { describe, expect, it } from '@jest/globals';

import type { Image } from '../../../shared/domain';
import { DEFAULT_CLEANUP_SETTINGS, planCleanup } from '../../../shared/plan/cleanup';
import { NOW, daysAgo, image, snapshotsOf, usageOf } from '../../helpers/plan-fixtures';

function decide(img: Image) {
  const p = planCleanup({
    images: [img],
    usage: usageOf(),
    snapshots: snapshotsOf([img]),
    settings: { ...DEFAULT_CLEANUP_SETTINGS },
    now: NOW,
    launchPermissions: new Map([[img.id, { kind: 'read', permissions: [] }]]),
  });
  return { decision: p.decisions[0]!, problems: p.problems };
}

describe('planCleanup: LastLaunchedTime', () => {
  it('a launch after LastUsed (e.g. while the tagger was down) keeps the AMI within the retention', () => {
    const { decision } = decide(image('ami-1', { lastLaunchedAt: daysAgo(2) }));
    expect(decision).toMatchObject({
      action: 'keep',
      reason:
        'last launched 2026-11-21T10:00:00Z (EC2 LastLaunchedTime), 2 days ago: within the 7 days retention',
    });
  });

  it('an old launch changes nothing: LastUsed (19 days ago) is later, and the AMI goes', () => {
    const { decision } = decide(image('ami-1', { lastLaunchedAt: daysAgo(40) }));
    expect(decision.action).toBe('delete');
    expect(decision.reason).toMatch(/^unused since 2026-11-04T10:00:00Z/);
  });

  it('a never-tagged AMI launched 10 days ago is deleted as unused since that launch', () => {
    const { decision } = decide(image('ami-1', { lastLaunchedAt: daysAgo(10) }, { LastUsed: undefined }));
    expect(decision.action).toBe('delete');
    expect(decision.reason).toMatch(/^last launched 2026-11-13T10:00:00Z \(EC2 LastLaunchedTime\), 10 days/);
  });

  it('a LastLaunchedTime in the future keeps the AMI and is reported', () => {
    const { decision, problems } = decide(
      image('ami-1', { lastLaunchedAt: new Date('2026-11-24T00:00:00Z') }),
    );
    expect(decision).toMatchObject({
      action: 'keep',
      reason: 'EC2 LastLaunchedTime 2026-11-24T00:00:00Z is in the future: kept and reported',
    });
    expect(problems).toEqual([
      {
        resourceId: 'ami-1',
        tag: 'LastLaunchedTime (EC2 image attribute)',
        value: '2026-11-24T00:00:00Z',
        expected: 'a time not after now (2026-11-23T10:00:00Z)',
      },
    ]);
  });

  it('an unreadable LastLaunchedTime keeps the AMI and is reported', () => {
    const { decision, problems } = decide(image('ami-1', { lastLaunchedAt: new Date('yesterday') }));
    expect(decision.action).toBe('keep');
    expect(decision.reason).toContain('LastLaunchedTime could not be read');
    expect(problems[0]).toMatchObject({ resourceId: 'ami-1', value: 'unreadable' });
  });
});
