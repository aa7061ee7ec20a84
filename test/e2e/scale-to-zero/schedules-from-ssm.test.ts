/**
 * Named schedules kept in an SSM parameter (SCALE_SCHEDULES_PARAMETER): the real handler, signed as
 * its role, deployed with the parameter's name (the role may read that one parameter only). A team
 * changes its hours by writing the parameter; the next run follows without a deploy. A parameter the
 * run cannot read is reported, and resources naming a schedule it may hold are skipped, while
 * resources with a schedule written in the tag go on as usual.
 */
import { describe, expect, it } from '@jest/globals';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

import type { RunSummaryDetail } from '../../../shared/events';
import { NO_BACKOFF } from '../../helpers/harness';
import { SCALE_REGION as REGION, useScaleFixture } from '../../helpers/scale-fixture';

const PARAMETER = '/ec2-hygiene/scale-schedules';
const INLINE = 'Mon-Fri 08:00-18:30 UTC';

const fx = useScaleFixture({
  settings: { SCALE_DEFAULT_SCHEDULE: undefined, SCALE_SCHEDULES_PARAMETER: PARAMETER },
  handler: NO_BACKOFF,
  sandbox: { iam: { params: { scaleSchedulesParameter: PARAMETER } } },
});
const { region } = fx;
const sizes = (name: string) => {
  const g = region().getAutoScalingGroup(name)!;
  return `${g.minSize}/${g.desiredCapacity}/${g.maxSize}`;
};

async function writeParameter(value: unknown, name = PARAMETER): Promise<void> {
  const ssm = new SSMClient({ region: REGION, credentials: fx.sandbox.credentials('admin') });
  try {
    await ssm.send(
      new PutParameterCommand({ Name: name, Type: 'String', Value: JSON.stringify(value), Overwrite: true }),
    );
  } finally {
    ssm.destroy();
  }
}

/** One handler for the whole test: nothing is redeployed between runs. */
const handler = () => fx.makeHandler();

async function runAt(h: ReturnType<typeof handler>, iso: string): Promise<RunSummaryDetail> {
  return (await fx.runAt(iso, h)).summaries[0]!;
}

function seed(): { box: string } {
  const r = region();
  const image = r.addImage({ name: 'dev' });
  const template = r.addLaunchTemplate({ name: 'dev', versions: [{ imageId: image.id }] });
  r.addAutoScalingGroup({
    name: 'team-web',
    launchTemplate: { launchTemplateId: template.id, version: '$Default' },
    minSize: 1,
    desiredCapacity: 2,
    maxSize: 4,
    tags: { ScaleToZero: 'team' },
  });
  const box = r.addInstance({ imageId: image.id, tags: { ScaleToZero: INLINE } }).id;
  return { box };
}

describe('schedules from an SSM parameter', () => {
  it('a changed parameter changes the next run, without a deploy', async () => {
    seed();
    await writeParameter({ team: 'Mon-Fri 08:00-18:30 UTC' });
    const h = handler();
    await runAt(h, '2026-11-23T18:30:00Z');
    expect(sizes('team-web')).toBe('0/0/0');
    await runAt(h, '2026-11-24T08:00:00Z');
    expect(sizes('team-web')).toBe('1/2/4');

    // Tuesday noon: the team works late this week, with a holiday of its own on Thursday.
    await writeParameter({ team: { schedule: 'Mon-Fri 08:00-21:00 UTC', holidays: ['2026-11-26'] } });
    const late = await runAt(h, '2026-11-24T18:30:00Z');
    expect(sizes('team-web')).toBe('1/2/4');
    expect(late.failures).toEqual([]);
    await runAt(h, '2026-11-24T21:00:00Z');
    expect(sizes('team-web')).toBe('0/0/0');
    await runAt(h, '2026-11-25T08:00:00Z');
    expect(sizes('team-web')).toBe('1/2/4');
    await runAt(h, '2026-11-25T21:00:00Z');
    await runAt(h, '2026-11-26T08:00:00Z');
    expect(sizes('team-web')).toBe('0/0/0');
    // One GetParameter per run, whatever the number of resources.
    expect(fx.sandbox.requests.count('ssm', 'GetParameter')).toBe(7);
  });

  it.each([
    ['missing', async () => undefined, /ParameterNotFound/],
    ['not JSON', async () => writeParameter('team: Mon-Fri').then(() => undefined), /not JSON|not valid/],
    [
      'with one bad entry',
      async () => writeParameter({ team: 'Mon-Fri 08:00-18:30 UTC', other: 'weekdays' }),
      /other/,
    ],
  ])(
    'a parameter %s: reported, the group naming it skipped, the inline-tagged box still stopped',
    async (_, setUp, why) => {
      const { box } = seed();
      await setUp();
      const summary = await runAt(handler(), '2026-11-23T18:30:00Z');
      expect(sizes('team-web')).toBe('1/2/4');
      expect(region().getInstance(box)!.state).toBe('stopped');
      expect(summary.failures).toEqual([
        expect.objectContaining({
          resourceId: PARAMETER,
          message: expect.stringMatching(why),
        }),
      ]);
      expect(summary.skipped).toContainEqual(
        expect.objectContaining({
          resourceId: 'team-web',
          rule: 'schedule-unreadable',
          tag: 'ScaleToZero',
          value: 'team',
          reason: expect.stringContaining(`SSM parameter ${PARAMETER}`),
        }),
      );
    },
  );

  it('a name defined differently in SCALE_SCHEDULES and the parameter is refused; the run says where', async () => {
    seed();
    process.env.SCALE_SCHEDULES = JSON.stringify({ team: 'Mon-Fri 09:00-17:00 UTC' });
    await writeParameter({ team: 'Mon-Fri 08:00-18:30 UTC' });
    const summary = await runAt(handler(), '2026-11-23T18:30:00Z');
    expect(sizes('team-web')).toBe('1/2/4');
    expect(summary.failures).toEqual([
      {
        resourceId: PARAMETER,
        action: 'SCALE_SCHEDULES_PARAMETER',
        message: expect.stringContaining('schedule "team" is defined differently in SCALE_SCHEDULES'),
      },
    ]);
    expect(summary.skipped).toContainEqual(
      expect.objectContaining({ resourceId: 'team-web', value: 'team' }),
    );
  });

  it('the role reads only its own parameter: another name is refused by IAM and reported', async () => {
    seed();
    await writeParameter({ team: 'Mon-Fri 08:00-18:30 UTC' }, '/ec2-hygiene/other-schedules');
    process.env.SCALE_SCHEDULES_PARAMETER = '/ec2-hygiene/other-schedules';
    const summary = await runAt(handler(), '2026-11-23T18:30:00Z');
    expect(summary.failures).toEqual([
      expect.objectContaining({
        resourceId: '/ec2-hygiene/other-schedules',
        action: 'GetParameter',
        message: expect.stringMatching(/AccessDenied/),
      }),
    ]);
    expect(sizes('team-web')).toBe('1/2/4');
  });
});
