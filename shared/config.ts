/**
 * Settings of the tagger and cleanup functions, from environment variables (the serverless params
 * end up there). The environment is passed in, never read here. A bad value throws one error naming
 * the variable, the value and what was expected, so a misconfigured deploy fails its first run loudly
 * instead of running with a guess.
 */
export interface Settings {
  regions: string[];
  /** An AMI unused for longer than this is eligible (cleanup). */
  retentionDays: number;
  /**
   * LastUsedRuntime must be this recent, or cleanup refuses to delete anything (the tagger is dead);
   * the tagger takes an older previous LastUsedRuntime as a period it did not watch. Between
   * FRESHNESS_MIN_MINUTES and a quarter of the retention (see loadSettings).
   */
  freshnessMinutes: number;
  /** Cleanup only reports what it would delete. Defaults to true: a first deploy never deletes. */
  dryRun: boolean;
  /** Keep the N newest AMIs of each family even when eligible; family = value of familyTag. */
  keepNewestPerFamily?: number;
  familyTag?: string;
  /** Upper bound of AMIs one cleanup run deregisters; a larger backlog is finished by later runs. */
  maxDeletionsPerRun?: number;
  eventBusName: string;
  /**
   * Where every region's summary and refusal is published: the notifier's rules live on one bus
   * only. A bus ARN's own region, else the deployment region (AWS_REGION), else the first region.
   */
  eventRegion?: string;
  /** Ask EC2 DescribeImageReferences for a second opinion right before deregistering. */
  checkImageReferences: boolean;
  /**
   * AMIs that are public or shared with other accounts, organizations or OUs: false (default, absent
   * counts as false) keeps them, their use in those accounts being invisible to this one; true deletes
   * them whatever their use elsewhere; 'when-unused' deletes a shared (not public) one only when an
   * EC2 AMI usage report shows no account using it (shared/plan/cleanup/usage-reports.ts).
   */
  deleteSharedImages?: boolean | 'when-unused';
  /**
   * Cleanup deregisters only AMIs a Recycle Bin retention rule covers, with their snapshots
   * (REQUIRE_RECYCLE_BIN). Absent counts as off.
   */
  requireRecycleBin?: boolean;
  /** SDK attempts per call (adaptive retry). */
  maxAttempts: number;
  /**
   * Count only the N newest versions of each launch template as in use (plus $Default and versions a
   * group or fleet names); absent: every version, each a rollback target.
   */
  launchTemplateVersionsInUse?: number;
  /** Cleanup's retirement stages (docs/cleanup.md#stages): days deprecated, then days disabled. */
  deprecateGraceDays?: number;
  disableGraceDays?: number;
  /**
   * Cleanup's deletion notice (docs/cleanup.md#notice-before-deletion): the AMIs whose next retirement
   * step falls within this many days are listed in an "EC2 Hygiene Deletion Notice" event. 0: none.
   */
  noticeDays?: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * A parser gives the value, or undefined when the text is not valid. Hand-written rather than zod:
 * zod cannot be tree-shaken and was a third of every bundle, parsed at each cold start
 * (docs/performance.md); these few checks are as strict.
 */
type Parse<T> = (text: string) => T | undefined;

const wholeNumber =
  (min: number): Parse<number> =>
  (text) => {
    const t = text.trim();
    if (!/^\d+$/.test(t)) return undefined;
    const n = Number(t);
    return n >= min && n <= Number.MAX_SAFE_INTEGER ? n : undefined;
  };

const booleanText: Parse<boolean> = (text) => {
  const t = text.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
};

/** DELETE_SHARED_IMAGES: the two booleans, or when-unused (any case). */
const sharedImagesText: Parse<boolean | 'when-unused'> = (text) =>
  text.trim().toLowerCase() === 'when-unused' ? 'when-unused' : booleanText(text);

const regionList: Parse<string[]> = (text) => {
  const regions = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return regions.length >= 1 && regions.every((r) => REGION.test(r)) ? regions : undefined;
};

const nonEmpty: Parse<string> = (text) => {
  const t = text.trim();
  return t.length >= 1 && t.length <= 256 ? t : undefined;
};

function read<T>(env: Env, name: string, parse: Parse<T>, expected: string): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed = parse(raw);
  if (parsed === undefined) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${expected}`);
  }
  return parsed;
}

/**
 * REGIONS (comma-separated; blanks ignored) or, unset, the deployment region (AWS_REGION), for the
 * settings of scale-to-zero and recovery. The same errors as loadSettings' REGIONS.
 */
export function regionsFromEnv(env: Env): string[] {
  const text = env.REGIONS?.trim();
  const regions = text
    ? text
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r !== '')
    : env.AWS_REGION
      ? [env.AWS_REGION]
      : [];
  if (regions.length === 0) {
    throw new ConfigError('REGIONS is not set and neither is AWS_REGION: expected at least one AWS region');
  }
  if (!regions.every((r) => REGION.test(r))) {
    throw new ConfigError(
      `REGIONS=${JSON.stringify(text)} is not valid: expected a comma-separated list of AWS regions such as eu-west-1,us-east-1`,
    );
  }
  return regions;
}

/** A trimmed environment value; empty counts as unset. */
export function envValue(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/** The one shape of a bad setting: the variable, its value and what was expected. */
export function invalidSetting(name: string, raw: string | undefined, expected: string): never {
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${expected}`);
}

/** What the recovery and self-heal functions read alike: the dry-run switch, retries and the bus. */
export interface RunSettings {
  regions: string[];
  dryRun: boolean;
  eventBusName: string;
  eventRegion: string;
  maxAttempts: number;
}

/** Reads a function's RunSettings once its own settings are checked (`dryRunVar`: its DRY_RUN). */
export function readRunSettings(env: Env, regions: string[], dryRunVar: string): RunSettings {
  const dryRunText = envValue(env, dryRunVar);
  if (dryRunText !== undefined && !/^(true|false)$/i.test(dryRunText))
    invalidSetting(dryRunVar, dryRunText, 'true or false');
  const attemptsText = envValue(env, 'AWS_MAX_ATTEMPTS');
  if (attemptsText !== undefined && !/^[1-9]\d{0,2}$/.test(attemptsText)) {
    invalidSetting('AWS_MAX_ATTEMPTS', attemptsText, 'a whole number >= 1');
  }
  const eventBusName = envValue(env, 'EVENT_BUS_NAME') ?? 'default';
  return {
    regions: [...new Set(regions)],
    dryRun: dryRunText?.toLowerCase() === 'true',
    eventBusName,
    eventRegion: eventRegionFor(eventBusName, env.AWS_REGION, regions[0]!),
    maxAttempts: attemptsText ? Number(attemptsText) : DEFAULTS.maxAttempts,
  };
}

/** The region of the bus the summaries go to: see Settings.eventRegion. */
export function eventRegionFor(
  eventBusName: string,
  deploymentRegion: string | undefined,
  fallback: string,
): string {
  const arn = /^arn:[^:]+:events:([a-z0-9-]+):/.exec(eventBusName.trim());
  return arn?.[1] ?? deploymentRegion ?? fallback;
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

/** The tagger's schedule (functions/tagger/function.yml). */
export const TAGGER_PERIOD_MINUTES = 20;
/**
 * Two tagger periods: a window shorter than that takes every late or missed run for an outage,
 * pushing every deletion back by the whole retention each time.
 */
export const FRESHNESS_MIN_MINUTES = 2 * TAGGER_PERIOD_MINUTES;
/**
 * The window may be at most this part of the retention. It is how long a pause of the tagger goes
 * unrecorded and how stale a LastUsed cleanup still trusts: use that falls inside such a pause is
 * never seen, so it must stay small beside the time an AMI has to be unused (a quarter leaves the
 * default 60 min far inside even a 1-day retention, 360 min).
 */
export const FRESHNESS_MAX_SHARE_OF_RETENTION = 1 / 4;

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
  const retentionDays =
    read(env, 'RETENTION_DAYS', wholeNumber(1), 'a whole number of days >= 1') ?? DEFAULTS.retentionDays;
  const freshnessMinutes =
    read(
      env,
      'FRESHNESS_MINUTES',
      wholeNumber(FRESHNESS_MIN_MINUTES),
      `a whole number of minutes >= ${FRESHNESS_MIN_MINUTES} (two runs of the ${TAGGER_PERIOD_MINUTES}-minute tagger)`,
    ) ?? DEFAULTS.freshnessMinutes;
  const maxFreshness = Math.floor(retentionDays * 24 * 60 * FRESHNESS_MAX_SHARE_OF_RETENTION);
  if (freshnessMinutes > maxFreshness) {
    throw new ConfigError(
      `FRESHNESS_MINUTES=${JSON.stringify(env.FRESHNESS_MINUTES ?? String(freshnessMinutes))} is not valid: ` +
        `expected at most a quarter of the retention (RETENTION_DAYS=${retentionDays}: <= ${maxFreshness} minutes), ` +
        'or a tagger outage that long would go unrecorded',
    );
  }
  const settings: Settings = {
    regions: [...new Set(regions)],
    retentionDays,
    freshnessMinutes,
    dryRun: read(env, 'DRY_RUN', booleanText, 'true or false') ?? DEFAULTS.dryRun,
    eventBusName: read(env, 'EVENT_BUS_NAME', nonEmpty, 'an event bus name or ARN') ?? DEFAULTS.eventBusName,
    checkImageReferences:
      read(env, 'CHECK_IMAGE_REFERENCES', booleanText, 'true or false') ?? DEFAULTS.checkImageReferences,
    deleteSharedImages:
      read(
        env,
        'DELETE_SHARED_IMAGES',
        sharedImagesText,
        'one of false (keep shared AMIs), true (delete them whatever their use elsewhere) or when-unused (delete one only when an AMI usage report shows no account using it)',
      ) ?? DEFAULTS.deleteSharedImages,
    maxAttempts: read(env, 'AWS_MAX_ATTEMPTS', wholeNumber(1), 'a whole number >= 1') ?? DEFAULTS.maxAttempts,
  };
  settings.eventRegion = eventRegionFor(settings.eventBusName, env.AWS_REGION, settings.regions[0]!);
  if (keepNewestPerFamily !== undefined) settings.keepNewestPerFamily = keepNewestPerFamily;
  if (familyTag !== undefined) settings.familyTag = familyTag;
  const requireRecycleBin = read(env, 'REQUIRE_RECYCLE_BIN', booleanText, 'true or false');
  if (requireRecycleBin !== undefined) settings.requireRecycleBin = requireRecycleBin;
  const maxDeletions = read(env, 'MAX_DELETIONS_PER_RUN', wholeNumber(1), 'a whole number >= 1');
  if (maxDeletions !== undefined) settings.maxDeletionsPerRun = maxDeletions;
  const versionsInUse = read(
    env,
    'LAUNCH_TEMPLATE_VERSIONS_IN_USE',
    wholeNumber(1),
    'a whole number of launch template versions >= 1, or empty for every version',
  );
  if (versionsInUse !== undefined) settings.launchTemplateVersionsInUse = versionsInUse;
  // Cleanup's retirement stages: 0 (the default) leaves the stage out.
  const graceDays: Parse<number> = (text) => {
    const n = wholeNumber(0)(text);
    return n !== undefined && n <= 365 ? n : undefined;
  };
  for (const [name, key] of [
    ['DEPRECATE_GRACE_DAYS', 'deprecateGraceDays'],
    ['DISABLE_GRACE_DAYS', 'disableGraceDays'],
  ] as const) {
    const days = read(env, name, graceDays, 'a whole number of days from 0 to 365 (0: no such stage)');
    if (days !== undefined && days > 0) settings[key] = days;
  }
  const noticeDays = read(
    env,
    'NOTICE_DAYS',
    (text) => {
      const n = wholeNumber(0)(text);
      return n !== undefined && n <= 30 ? n : undefined;
    },
    'a whole number of days from 0 to 30 (0: no notice)',
  );
  if (noticeDays !== undefined && noticeDays > 0) settings.noticeDays = noticeDays;
  return settings;
}
