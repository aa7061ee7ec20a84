/**
 * Settings of the tagger and cleanup functions, from environment variables (the serverless params
 * end up there). The environment is passed in, never read here. A bad value throws one error naming
 * the variable, the value and what was expected, so a misconfigured deploy fails its first run loudly
 * instead of running with a guess.
 */
import { z } from 'zod';

export interface Settings {
  regions: string[];
  /** An AMI unused for longer than this is eligible (cleanup). */
  retentionDays: number;
  /** LastUsedRuntime must be this recent, or cleanup refuses to delete anything (the tagger is dead). */
  freshnessMinutes: number;
  /** Cleanup only reports what it would delete. Defaults to true: a first deploy never deletes. */
  dryRun: boolean;
  /** Keep the N newest AMIs of each family even when eligible; family = value of familyTag. */
  keepNewestPerFamily?: number;
  familyTag?: string;
  /** Upper bound of AMIs one cleanup run deregisters; a larger backlog is finished by later runs. */
  maxDeletionsPerRun?: number;
  eventBusName: string;
  /** Ask EC2 DescribeImageReferences for a second opinion right before deregistering. */
  checkImageReferences: boolean;
  /**
   * Also delete AMIs that are public or shared with other accounts, organizations or OUs. Off by
   * default (absent counts as off): their use in those accounts is invisible to this one.
   */
  deleteSharedImages?: boolean;
  /** SDK attempts per call (adaptive retry). */
  maxAttempts: number;
  /**
   * Count only the N newest versions of each launch template as in use (plus $Default and versions a
   * group or fleet names); absent: every version, each a rollback target.
   */
  launchTemplateVersionsInUse?: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const wholeNumber = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(Number.MAX_SAFE_INTEGER));

const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false']))
  .transform((v) => v === 'true');

const regionList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== ''),
  )
  .pipe(z.array(z.string().regex(REGION)).min(1));

const nonEmpty = z.string().trim().min(1).max(256);

function read<T>(env: Env, name: string, schema: z.ZodType<T>, expected: string): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${expected}`);
  }
  return parsed.data;
}

export const DEFAULTS = {
  retentionDays: 7,
  freshnessMinutes: 60,
  dryRun: true,
  eventBusName: 'default',
  checkImageReferences: true,
  deleteSharedImages: false,
  maxAttempts: 8,
} as const;

export function loadSettings(env: Env): Settings {
  const regions =
    read(env, 'REGIONS', regionList, 'a comma-separated list of AWS regions such as eu-west-1,us-east-1') ??
    (env.AWS_REGION ? [env.AWS_REGION] : undefined);
  if (!regions) {
    throw new ConfigError('REGIONS is not set and neither is AWS_REGION: expected at least one AWS region');
  }
  const keepNewestPerFamily = read(env, 'KEEP_NEWEST_PER_FAMILY', wholeNumber(1), 'a whole number >= 1');
  const familyTag = read(env, 'FAMILY_TAG', nonEmpty, 'a tag key such as Family');
  if (keepNewestPerFamily !== undefined && familyTag === undefined) {
    throw new ConfigError(
      `KEEP_NEWEST_PER_FAMILY=${JSON.stringify(env.KEEP_NEWEST_PER_FAMILY)} needs FAMILY_TAG: expected the tag key that names an AMI's family`,
    );
  }
  const settings: Settings = {
    regions: [...new Set(regions)],
    retentionDays:
      read(env, 'RETENTION_DAYS', wholeNumber(1), 'a whole number of days >= 1') ?? DEFAULTS.retentionDays,
    freshnessMinutes:
      read(env, 'FRESHNESS_MINUTES', wholeNumber(1), 'a whole number of minutes >= 1') ??
      DEFAULTS.freshnessMinutes,
    dryRun: read(env, 'DRY_RUN', booleanText, 'true or false') ?? DEFAULTS.dryRun,
    eventBusName: read(env, 'EVENT_BUS_NAME', nonEmpty, 'an event bus name or ARN') ?? DEFAULTS.eventBusName,
    checkImageReferences:
      read(env, 'CHECK_IMAGE_REFERENCES', booleanText, 'true or false') ?? DEFAULTS.checkImageReferences,
    deleteSharedImages:
      read(env, 'DELETE_SHARED_IMAGES', booleanText, 'true or false') ?? DEFAULTS.deleteSharedImages,
    maxAttempts: read(env, 'AWS_MAX_ATTEMPTS', wholeNumber(1), 'a whole number >= 1') ?? DEFAULTS.maxAttempts,
  };
  if (keepNewestPerFamily !== undefined) settings.keepNewestPerFamily = keepNewestPerFamily;
  if (familyTag !== undefined) settings.familyTag = familyTag;
  const maxDeletions = read(env, 'MAX_DELETIONS_PER_RUN', wholeNumber(1), 'a whole number >= 1');
  if (maxDeletions !== undefined) settings.maxDeletionsPerRun = maxDeletions;
  const versionsInUse = read(
    env,
    'LAUNCH_TEMPLATE_VERSIONS_IN_USE',
    wholeNumber(1),
    'a whole number of launch template versions >= 1, or empty for every version',
  );
  if (versionsInUse !== undefined) settings.launchTemplateVersionsInUse = versionsInUse;
  return settings;
}
