import { describe, expect, it } from '@jest/globals';
import { planTagging } from '../../../shared/plan/tagging';
import { NOW, OTHER, image, usageOf } from '../../helpers/plan-fixtures';

describe('planTagging', () => {
  const usage = usageOf({
    instances: [
      { id: 'i-1', imageId: 'ami-used', state: 'running' },
      { id: 'i-2', imageId: 'ami-foreign', state: 'stopped' },
      { id: 'i-3', imageId: 'ami-deregistered', state: 'running' },
      { id: 'i-4', imageId: 'ami-idle', state: 'terminated' },
    ],
  });
  const images = [
    image('ami-used'),
    image('ami-idle'),
    image('ami-foreign', { ownedBySelf: false, ownerId: OTHER }),
    image('ami-public', { ownedBySelf: false, ownerId: OTHER }),
    image('ami-failed', { state: 'failed' }),
    image('ami-building', { state: 'pending' }),
  ];
  const plan = planTagging({ images, usage, now: NOW, freshnessMinutes: 60 });

  it('writes now, in the contract format', () => {
    expect(plan.value).toBe('2026-11-23T10:00:00Z');
  });

  it('stamps LastUsed on owned AMIs in use, and LastUsedRuntime on every owned taggable AMI', () => {
    expect(plan.lastUsed).toEqual(['ami-used']);
    expect(plan.runtime).toEqual(['ami-building', 'ami-idle', 'ami-used']);
  });

  it('reports AMIs in use that another account owns or that no longer exist, and never tags them', () => {
    expect(plan.foreignInUse).toEqual([
      {
        imageId: 'ami-deregistered',
        refs: [{ imageId: 'ami-deregistered', kind: 'instance', resourceId: 'i-3', detail: '(running)' }],
      },
      {
        imageId: 'ami-foreign',
        ownerId: OTHER,
        refs: [{ imageId: 'ami-foreign', kind: 'instance', resourceId: 'i-2', detail: '(stopped)' }],
      },
    ]);
    expect([...plan.lastUsed, ...plan.runtime]).not.toContain('ami-foreign');
  });

  it('gives every AMI a decision with a reason', () => {
    expect(plan.decisions.map((d) => [d.imageId, d.action, d.reason])).toEqual([
      [
        'ami-building',
        'tag-runtime',
        'not in use: LastUsedRuntime set to 2026-11-23T10:00:00Z, LastUsed left as it was',
      ],
      [
        'ami-deregistered',
        'report-foreign',
        'in use by instance i-3 (running) but not found among the images read (deregistered, or owned by another account and not visible): reported, not tagged',
      ],
      ['ami-failed', 'skip', 'state failed: only available and pending AMIs are tagged'],
      [
        'ami-foreign',
        'report-foreign',
        `owned by account ${OTHER}, not this one: in use by instance i-2 (stopped); reported, not tagged`,
      ],
      [
        'ami-idle',
        'tag-runtime',
        'not in use: LastUsedRuntime set to 2026-11-23T10:00:00Z, LastUsed left as it was',
      ],
      ['ami-public', 'skip', `owned by account ${OTHER}, not this one, and not in use`],
      [
        'ami-used',
        'tag-last-used',
        'in use by instance i-1 (running): LastUsed and LastUsedRuntime set to 2026-11-23T10:00:00Z',
      ],
    ]);
  });

  it('passes unresolved usage on as problems for the report', () => {
    const p = planTagging({
      images: [],
      usage: usageOf({ launchConfigurations: [{ name: 'lc-ssm', imageId: 'resolve:ssm:/x' }] }),
      now: NOW,
      freshnessMinutes: 60,
    });
    expect(p.problems.map((x) => x.resourceId)).toEqual(['lc-ssm']);
  });

  it('lists many users briefly', () => {
    const many = usageOf({
      instances: [1, 2, 3, 4, 5].map((n) => ({ id: `i-${n}`, imageId: 'ami-used', state: 'running' })),
    });
    const p = planTagging({ images: [image('ami-used')], usage: many, now: NOW, freshnessMinutes: 60 });
    expect(p.decisions[0]!.reason).toBe(
      'in use by instance i-1 (running), instance i-2 (running), instance i-3 (running) and 2 more: LastUsed and LastUsedRuntime set to 2026-11-23T10:00:00Z',
    );
  });

  it('refuses an invalid clock', () => {
    expect(() =>
      planTagging({ images: [], usage: usageOf(), now: new Date('nope'), freshnessMinutes: 60 }),
    ).toThrow('planTagging: now is not a valid date');
  });
});
