/**
 * Scale-to-zero's patch-window settings: SCALE_PATCH_WINDOWS (true/false, default true) and
 * SCALE_PATCH_WINDOW_LEAD_MINUTES (0 to 720, default 30). On by default: a box targeted by an
 * enabled maintenance window was put there by someone who wants it patched, and one that sleeps
 * through every window misses every patch; starting it costs a few instance-hours.
 */
import { ConfigError, type Env } from '../config';

export interface PatchWindowSettings {
  /** Start resources asleep by scale-to-zero's record for the windows that target them. */
  enabled: boolean;
  /** How long before a window's start they are started. */
  leadMinutes: number;
}

export const DEFAULT_PATCH_WINDOWS: PatchWindowSettings = { enabled: true, leadMinutes: 30 };

export function loadPatchWindowSettings(env: Env): PatchWindowSettings {
  const enabledText = env.SCALE_PATCH_WINDOWS?.trim() || undefined;
  const leadText = env.SCALE_PATCH_WINDOW_LEAD_MINUTES?.trim() || undefined;
  if (enabledText !== undefined && !/^(true|false)$/i.test(enabledText)) {
    throw new ConfigError(
      `SCALE_PATCH_WINDOWS=${JSON.stringify(enabledText)} is not valid: expected true or false (start sleeping resources for their SSM maintenance windows)`,
    );
  }
  if (leadText !== undefined && !(/^\d{1,3}$/.test(leadText) && Number(leadText) <= 720)) {
    throw new ConfigError(
      `SCALE_PATCH_WINDOW_LEAD_MINUTES=${JSON.stringify(leadText)} is not valid: expected a whole number of minutes from 0 to 720 (how long before a maintenance window its resources are started)`,
    );
  }
  return {
    enabled: enabledText === undefined ? DEFAULT_PATCH_WINDOWS.enabled : enabledText.toLowerCase() === 'true',
    leadMinutes: leadText === undefined ? DEFAULT_PATCH_WINDOWS.leadMinutes : Number(leadText),
  };
}
