/** The services the sandbox speaks, by SigV4 scope name. Adding one: a module and a line here. */
import { autoscaling } from './autoscaling';
import { cloudwatch } from './cloudwatch';
import { ec2 } from './ec2';
import { events } from './events';
import { pricing } from './pricing';
import { rbin } from './rbin';
import { rds } from './rds';
import { sns } from './sns';
import { ssm } from './ssm';
import { sts } from './sts';
import type { ServiceHandler } from './types';

export const SERVICES: readonly ServiceHandler[] = [
  ec2,
  autoscaling,
  events,
  sts,
  ssm,
  sns,
  cloudwatch,
  pricing,
  rbin,
  rds,
];
