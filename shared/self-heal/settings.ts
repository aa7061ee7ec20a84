/**
 * Settings of the self-heal function, from environment variables (the serverless params end up
 * there). A bad value throws one ConfigError naming the variable, the value and what was expected.
 */
import { envValue, invalidSetting, readRunSettings, regionsFromEnv, type Env } from '../config';

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

function seconds(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    invalidSetting(name, text, `whole seconds from ${min} to ${max}`);
  return n;
}

export function loadSelfHealSettings(env: Env): SelfHealSettings {
  const regions = regionsFromEnv(env);
  const hookName = envValue(env, 'SELF_HEAL_HOOK_NAME');
  if (hookName === undefined || !HOOK_NAME.test(hookName)) {
    invalidSetting(
      'SELF_HEAL_HOOK_NAME',
      hookName,
      'letters, digits, _ . / - (1-255), e.g. ec2-hygiene-prod-self-heal (set by the stack)',
    );
  }
  const run = readRunSettings(env, regions, 'SELF_HEAL_DRY_RUN');
  return {
    ...run,
    hookName,
    heartbeatTimeoutSeconds: seconds(env, 'SELF_HEAL_HEARTBEAT_SECONDS', 600, 30, 7200),
    volumeWaitSeconds: seconds(env, 'SELF_HEAL_VOLUME_WAIT_SECONDS', 240, 0, 900),
    pollSeconds: seconds(env, 'SELF_HEAL_POLL_SECONDS', 5, 1, 60),
  };
}
