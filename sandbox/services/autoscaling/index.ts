/** Auto Scaling (AWS query, Version 2011-01-01). */
import type { QueryServiceHandler } from '../types';
import { AUTOSCALING_XMLNS } from './common';
import { groupActions } from './groups';
import { lifecycleHookActions } from './lifecycle-hooks';
import { tagActions } from './tags';

export const autoscaling: QueryServiceHandler = {
  service: 'autoscaling',
  protocol: 'query',
  xmlns: AUTOSCALING_XMLNS,
  actions: { ...groupActions, ...tagActions, ...lifecycleHookActions },
};
