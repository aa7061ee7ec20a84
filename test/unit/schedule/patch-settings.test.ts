/** SCALE_PATCH_WINDOWS and SCALE_PATCH_WINDOW_LEAD_MINUTES: defaults, values and errors naming the variable. */
import { describe, expect, it } from '@jest/globals';

import { ConfigError } from '../../../shared/config';
import { loadPatchWindowSettings, loadScaleSettings } from '../../../shared/schedule';

describe('patch-window settings', () => {
  it('are on with a 30-minute lead by default, in the scale settings too', () => {
    expect(loadPatchWindowSettings({})).toEqual({ enabled: true, leadMinutes: 30 });
    expect(loadScaleSettings({ AWS_REGION: 'eu-west-1' }).patchWindows).toEqual({
      enabled: true,
      leadMinutes: 30,
    });
  });

  it('read false in any case and a lead from 0 to 720 minutes', () => {
    expect(
      loadPatchWindowSettings({ SCALE_PATCH_WINDOWS: 'FALSE', SCALE_PATCH_WINDOW_LEAD_MINUTES: '0' }),
    ).toEqual({
      enabled: false,
      leadMinutes: 0,
    });
    expect(loadPatchWindowSettings({ SCALE_PATCH_WINDOW_LEAD_MINUTES: ' 720 ' }).leadMinutes).toBe(720);
  });

  it('fail with the variable, the value and what was expected', () => {
    expect(() => loadPatchWindowSettings({ SCALE_PATCH_WINDOWS: 'off' })).toThrow(ConfigError);
    expect(() => loadPatchWindowSettings({ SCALE_PATCH_WINDOWS: 'off' })).toThrow(
      'SCALE_PATCH_WINDOWS="off" is not valid: expected true or false',
    );
    for (const bad of ['721', '-5', '30m', '1.5']) {
      expect(() => loadPatchWindowSettings({ SCALE_PATCH_WINDOW_LEAD_MINUTES: bad })).toThrow(
        `SCALE_PATCH_WINDOW_LEAD_MINUTES=${JSON.stringify(bad)} is not valid: expected a whole number of minutes from 0 to 720`,
      );
    }
  });
});
