/**
 * Settings of the self-heal function, from environment variables (the serverless params end up
 * there). A bad value throws one ConfigError naming the variable, the value and what was expected.
 */
import { ConfigError, eventRegionFor, regionsFromEnv, type Env } from '../config';

export interface SelfHealSettings {
  regions: string[];
  /** `<service>-<stage>-self-heal`: the launch hook the function puts on opted-in groups. */
  hookName: string;
  /** The hook's heartbeat: longer than the Lambda's timeout, so the function completes it first. */
  heartbeatTimeoutSeconds: number;
  /** How long a launch waits for its data volume to become available before it is abandoned. */
  volumeWaitSeconds: number;
  /** Between two DescribeVolumes while waiting. */
  pollSeconds: number;
  /** Plan and report only. */
  dryRun: boolean;
  eventBusName: string;
  eventRegion?: string;
  maxAttempts: number;
}

/** Lifecycle hook names: 1-255 of A-Za-z0-9 - _ / (AWS's pattern, kept to what our prefix makes). */
const HOOK_NAME = /^[A-Za-z0-9_./-]{1,255}$/;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function fail(name: string, raw: string | undefined, expected: string): never {
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${expected}`);
}

function seconds(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = value(env, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) fail(name, text, `whole seconds from ${min} to ${max}`);
  return n;
}

export function loadSelfHealSettings(env: Env): SelfHealSettings {
  const regions = regionsFromEnv(env);
  const hookName = value(env, 'SELF_HEAL_HOOK_NAME');
  if (hookName === undefined || !HOOK_NAME.test(hookName)) {
    fail(
      'SELF_HEAL_HOOK_NAME',
      hookName,
      'letters, digits, _ . / - (1-255), e.g. ec2-hygiene-prod-self-heal (set by the stack)',
    );
  }
  const dryRunText = value(env, 'SELF_HEAL_DRY_RUN');
  if (dryRunText !== undefined && !/^(true|false)$/i.test(dryRunText))
    fail('SELF_HEAL_DRY_RUN', dryRunText, 'true or false');
  const attemptsText = value(env, 'AWS_MAX_ATTEMPTS');
  if (attemptsText !== undefined && !/^[1-9]\d{0,2}$/.test(attemptsText)) {
    fail('AWS_MAX_ATTEMPTS', attemptsText, 'a whole number >= 1');
  }
  const eventBusName = value(env, 'EVENT_BUS_NAME') ?? 'default';
  return {
    regions: [...new Set(regions)],
    hookName,
    heartbeatTimeoutSeconds: seconds(env, 'SELF_HEAL_HEARTBEAT_SECONDS', 600, 30, 7200),
    volumeWaitSeconds: seconds(env, 'SELF_HEAL_VOLUME_WAIT_SECONDS', 240, 0, 900),
    pollSeconds: seconds(env, 'SELF_HEAL_POLL_SECONDS', 5, 1, 60),
    dryRun: dryRunText?.toLowerCase() === 'true',
    eventBusName,
    eventRegion: eventRegionFor(eventBusName, env.AWS_REGION, regions[0]!),
    maxAttempts: attemptsText ? Number(attemptsText) : 8,
  };
}
