/** STS (AWS query): GetCallerIdentity, answering with the sandbox's account id. */
import type { QueryServiceHandler } from './types';

export const sts: QueryServiceHandler = {
  service: 'sts',
  protocol: 'query',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  actions: {
    GetCallerIdentity: (_params, { state }) => ({
      UserId: 'AIDASANDBOXUSER00000',
      Account: state.accountId,
      Arn: `arn:aws:iam::${state.accountId}:user/sandbox`,
    }),
  },
};
