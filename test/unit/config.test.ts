import { describe, expect, it } from '@jest/globals';

import { ConfigError, eventRegionFor, loadSettings } from '../../shared/config';

describe('loadSettings', () => {
  it('defaults to the deployment region, 7 days, 60 minutes and a dry run', () => {
    expect(loadSettings({ AWS_REGION: 'eu-west-1' })).toEqual({
      regions: ['eu-west-1'],
      retentionDays: 7,
      freshnessMinutes: 60,
      dryRun: true,
      eventBusName: 'default',
      eventRegion: 'eu-west-1',
      checkImageReferences: true,
      deleteSharedImages: false,
      maxAttempts: 8,
    });
  });

  it('reads every setting, trimming and treating empty values as unset', () => {
    const settings = loadSettings({
      AWS_REGION: 'eu-west-1',
      REGIONS: ' eu-west-1, us-east-1 ,eu-west-1',
      RETENTION_DAYS: '14',
      FRESHNESS_MINUTES: ' 90 ',
      DRY_RUN: 'FALSE',
      KEEP_NEWEST_PER_FAMILY: '3',
      FAMILY_TAG: 'Family',
      MAX_DELETIONS_PER_RUN: '25',
      EVENT_BUS_NAME: 'fleet',
      CHECK_IMAGE_REFERENCES: 'false',
      DELETE_SHARED_IMAGES: ' True ',
      AWS_MAX_ATTEMPTS: '',
    });
    expect(settings).toEqual({
      regions: ['eu-west-1', 'us-east-1'],
      retentionDays: 14,
      freshnessMinutes: 90,
      dryRun: false,
      keepNewestPerFamily: 3,
      familyTag: 'Family',
      maxDeletionsPerRun: 25,
      eventBusName: 'fleet',
      eventRegion: 'eu-west-1',
      checkImageReferences: false,
      deleteSharedImages: true,
      maxAttempts: 8,
    });
  });

  it.each([
    ['when-unused', 'when-unused'],
    [' When-Unused ', 'when-unused'],
    ['FALSE', false],
    ['true', true],
  ] as const)('reads DELETE_SHARED_IMAGES=%j as %j', (text, value) => {
    expect(loadSettings({ AWS_REGION: 'eu-west-1', DELETE_SHARED_IMAGES: text }).deleteSharedImages).toBe(
      value,
    );
  });

  it.each([
    ['RETENTION_DAYS', 'seven', 'RETENTION_DAYS="seven" is not valid: expected a whole number of days >= 1'],
    ['RETENTION_DAYS', '0', 'RETENTION_DAYS="0" is not valid: expected a whole number of days >= 1'],
    ['RETENTION_DAYS', '1.5', 'RETENTION_DAYS="1.5" is not valid: expected a whole number of days >= 1'],
    [
      'FRESHNESS_MINUTES',
      '-5',
      'FRESHNESS_MINUTES="-5" is not valid: expected a whole number of minutes >= 40 (two runs of the 20-minute tagger)',
    ],
    ['DRY_RUN', 'yes', 'DRY_RUN="yes" is not valid: expected true or false'],
    [
      'DELETE_SHARED_IMAGES',
      'sometimes',
      'DELETE_SHARED_IMAGES="sometimes" is not valid: expected one of false (keep shared AMIs), true (delete them whatever their use elsewhere) or when-unused (delete one only when an AMI usage report shows no account using it)',
    ],
    [
      'MAX_DELETIONS_PER_RUN',
      'all',
      'MAX_DELETIONS_PER_RUN="all" is not valid: expected a whole number >= 1',
    ],
    [
      'REGIONS',
      'eu-west-1,Mars',
      'REGIONS="eu-west-1,Mars" is not valid: expected a comma-separated list of AWS regions such as eu-west-1,us-east-1',
    ],
  ])('refuses %s=%s, naming the variable, the value and what was expected', (name, value, message) => {
    const load = () => loadSettings({ AWS_REGION: 'eu-west-1', [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('needs FAMILY_TAG when KEEP_NEWEST_PER_FAMILY is set', () => {
    expect(() => loadSettings({ AWS_REGION: 'eu-west-1', KEEP_NEWEST_PER_FAMILY: '2' })).toThrow(
      'KEEP_NEWEST_PER_FAMILY="2" needs FAMILY_TAG',
    );
  });

  describe('the freshness window: at least two tagger runs, at most a quarter of the retention', () => {
    const load = (env: Record<string, string>) => () => loadSettings({ AWS_REGION: 'eu-west-1', ...env });

    it('refuses a window shorter than two 20-minute tagger runs, which would take every late run for an outage', () => {
      expect(load({ FRESHNESS_MINUTES: '39' })).toThrow(
        'FRESHNESS_MINUTES="39" is not valid: expected a whole number of minutes >= 40 (two runs of the 20-minute tagger)',
      );
      expect(load({ FRESHNESS_MINUTES: '40' })().freshnessMinutes).toBe(40);
    });

    it.each([
      ['1', '361', 360],
      ['7', '2521', 2520],
    ])('with RETENTION_DAYS=%s refuses FRESHNESS_MINUTES=%s and takes %i', (days, tooLong, max) => {
      const refused = load({ RETENTION_DAYS: days, FRESHNESS_MINUTES: tooLong });
      expect(refused).toThrow(ConfigError);
      expect(refused).toThrow(
        `FRESHNESS_MINUTES="${tooLong}" is not valid: expected at most a quarter of the retention (RETENTION_DAYS=${days}: <= ${max} minutes)`,
      );
      expect(load({ RETENTION_DAYS: days, FRESHNESS_MINUTES: String(max) })().freshnessMinutes).toBe(max);
    });

    it('the default 60 minutes fits the shortest retention', () => {
      expect(load({ RETENTION_DAYS: '1' })().freshnessMinutes).toBe(60);
    });
  });

  it('needs a region from REGIONS or AWS_REGION', () => {
    expect(() => loadSettings({})).toThrow('REGIONS is not set and neither is AWS_REGION');
  });

  it('reads LAUNCH_TEMPLATE_VERSIONS_IN_USE (empty: every version) and names it when it is bad', () => {
    expect(
      loadSettings({ AWS_REGION: 'eu-west-1', LAUNCH_TEMPLATE_VERSIONS_IN_USE: ' 5 ' })
        .launchTemplateVersionsInUse,
    ).toBe(5);
    expect(loadSettings({ AWS_REGION: 'eu-west-1', LAUNCH_TEMPLATE_VERSIONS_IN_USE: '' })).not.toHaveProperty(
      'launchTemplateVersionsInUse',
    );
    for (const bad of ['0', '-1', 'all', '2.5']) {
      expect(() => loadSettings({ AWS_REGION: 'eu-west-1', LAUNCH_TEMPLATE_VERSIONS_IN_USE: bad })).toThrow(
        new ConfigError(
          `LAUNCH_TEMPLATE_VERSIONS_IN_USE=${JSON.stringify(bad)} is not valid: expected a whole number of launch template versions >= 1, or empty for every version`,
        ),
      );
    }
  });
});

describe('eventRegionFor: the one region whose bus gets every summary', () => {
  it('is the region of a bus ARN, else the deployment region, else the first region covered', () => {
    expect(
      eventRegionFor('arn:aws:events:us-east-2:123456789012:event-bus/ops', 'eu-west-1', 'ap-south-1'),
    ).toBe('us-east-2');
    expect(eventRegionFor('default', 'eu-west-1', 'ap-south-1')).toBe('eu-west-1');
    expect(eventRegionFor('default', undefined, 'ap-south-1')).toBe('ap-south-1');
  });

  it('is the deployment region however many regions are covered', () => {
    expect(
      loadSettings({ AWS_REGION: 'eu-central-1', REGIONS: 'us-west-2,ap-southeast-1' }).eventRegion,
    ).toBe('eu-central-1');
  });
});
