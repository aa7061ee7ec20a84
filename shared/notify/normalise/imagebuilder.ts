/** EC2 Image Builder "EC2 Image Builder Image State Change" with state.status FAILED. */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import {
  consoleLink,
  detailOf,
  envelope,
  ignore,
  incidentKey,
  notify,
  obj,
  str,
  resourcesOf,
} from './common';

export function normaliseImageBuilder(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const state = obj(d, 'state');
  const status = str(state, 'status') ?? '';
  if (status !== 'FAILED') return ignore(`Image Builder image status ${status || '(none)'} is not FAILED`);
  const env = envelope(event);
  const imageArn = resourcesOf(event)[0] ?? 'unknown image';
  // arn:aws:imagebuilder:REGION:ACCOUNT:image/NAME/VERSION/BUILD: every build of one recipe version is
  // the same incident, so drop the build number from the key.
  const recipeVersion = imageArn.replace(/\/\d+$/, '');
  const name = imageArn.split(':image/')[1] ?? imageArn;
  const previous = str(obj(d, 'previous-state'), 'status') ?? '';
  return notify({
    severity: 'critical',
    title: `Image build ${name} failed`,
    whatFailed: 'EC2 Image Builder image build',
    ...env,
    resource: imageArn,
    reason:
      str(state, 'reason') ??
      `The build failed${previous ? ` while ${previous}` : ''}; the workflow log says why.`,
    consoleUrl: consoleLink(env.region, `/imagebuilder/home?region=${env.region}#/images`),
    incidentKey: incidentKey(env.account, env.region, 'imagebuilder', recipeVersion),
    facts: [{ name: 'Failed while', value: previous }],
  });
}
