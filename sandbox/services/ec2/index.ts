/**
 * EC2 (EC2 query protocol, Version 2016-11-15). DescribeImageReferences is deliberately absent: a
 * local emulator may not implement it, and callers must treat the InvalidAction answer as
 * "unknown", never as "unused".
 */
import type { QueryServiceHandler } from '../types';
import { EC2_XMLNS } from './common';
import { imageActions } from './images';
import { instanceActions } from './instances';
import { launchTemplateActions } from './launch-templates';
import { snapshotActions } from './snapshots';
import { tagActions } from './tags';

export const ec2: QueryServiceHandler = {
  service: 'ec2',
  protocol: 'ec2',
  xmlns: EC2_XMLNS,
  actions: {
    ...imageActions,
    ...snapshotActions,
    ...instanceActions,
    ...launchTemplateActions,
    ...tagActions,
  },
};
