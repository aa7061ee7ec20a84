/**
 * EC2 (EC2 query protocol, Version 2016-11-15). DescribeImageReferences is served (a fault with
 * code InvalidAction plays an endpoint without it, which callers must treat as "unknown").
 */
import { SandboxError } from '../../protocol/errors';
import { optionalBool } from '../../protocol/form';
import type { QueryAction, QueryServiceHandler } from '../types';
import { addressActions } from './addresses';
import { EC2_XMLNS } from './common';
import { fleetActions } from './fleets';
import { imageAttributeActions } from './image-attributes';
import { imageReferenceActions } from './image-references';
import { imageUsageReportActions } from './image-usage-reports';
import { imageActions } from './images';
import { instanceActions } from './instances';
import { instanceTypeActions } from './instance-types';
import { launchTemplateActions } from './launch-templates';
import { snapshotActions } from './snapshots';
import { tagActions } from './tags';
import { volumeActions } from './volumes';

/** DryRun=true: EC2 checks permissions only and answers DryRunOperation (412); the sandbox grants all. */
function honourDryRun(actions: Record<string, QueryAction>): Record<string, QueryAction> {
  return Object.fromEntries(
    Object.entries(actions).map(([name, action]): [string, QueryAction] => [
      name,
      (params, ctx) => {
        if (optionalBool(params, 'DryRun')) {
          throw new SandboxError(
            'DryRunOperation',
            'Request would have succeeded, but DryRun flag is set.',
            412,
          );
        }
        return action(params, ctx);
      },
    ]),
  );
}

export const ec2: QueryServiceHandler = {
  service: 'ec2',
  protocol: 'ec2',
  xmlns: EC2_XMLNS,
  actions: honourDryRun({
    ...imageActions,
    ...imageAttributeActions,
    ...imageReferenceActions,
    ...imageUsageReportActions,
    ...snapshotActions,
    ...instanceActions,
    ...instanceTypeActions,
    ...launchTemplateActions,
    ...fleetActions,
    ...tagActions,
    ...volumeActions,
    ...addressActions,
  }),
};
