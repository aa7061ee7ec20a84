/** The self-heal settings: defaults, and errors that name the variable, the value and what was expected. */
import { describe, expect, it } from '@jest/globals';

import { ConfigError } from '../../../shared/config';
import { loadSelfHealSettings } from '../../../shared/self-heal/settings';

const base = { AWS_REGION: 'eu-west-1', SELF_HEAL_HOOK_NAME: 'ec2-hygiene-prod-self-heal' };

describe('loadSelfHealSettings', () => {
  it('has the documented defaults', () => {
    expect(loadSelfHealSettings(base)).toMatchObject({
      regions: ['eu-west-1'],
      hookName: 'ec2-hygiene-prod-self-heal',
      heartbeatTimeoutSeconds: 600,
      volumeWaitSeconds: 240,
      pollSeconds: 5,
      dryRun: false,
      eventBusName: 'default',
      maxAttempts: 8,
    });
  });

  it.each([
    [{ SELF_HEAL_HOOK_NAME: '' }, 'SELF_HEAL_HOOK_NAME=undefined is not valid: expected letters'],
    [{ SELF_HEAL_HOOK_NAME: 'has space' }, 'SELF_HEAL_HOOK_NAME="has space"'],
    [
      { SELF_HEAL_VOLUME_WAIT_SECONDS: '1000' },
      'SELF_HEAL_VOLUME_WAIT_SECONDS="1000" is not valid: expected whole seconds from 0 to 900',
    ],
    [{ SELF_HEAL_HEARTBEAT_SECONDS: '10' }, 'expected whole seconds from 30 to 7200'],
    [{ SELF_HEAL_POLL_SECONDS: '2.5' }, 'SELF_HEAL_POLL_SECONDS="2.5"'],
    [{ SELF_HEAL_DRY_RUN: 'yes' }, 'SELF_HEAL_DRY_RUN="yes" is not valid: expected true or false'],
  ])('refuses %j with a message naming it', (env, message) => {
    expect(() => loadSelfHealSettings({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadSelfHealSettings({ ...base, ...env })).toThrow(message);
  });
});
