/**
 * REST-JSON (Recycle Bin): the method and path name the action, the body is JSON both ways, and an
 * error is its HTTP status, the `x-amzn-ErrorType` header and a `{"Message": …}` body.
 */
import { SandboxError } from './errors';
import type { HttpReply } from './http';
import type { RestJsonRoute, RestJsonServiceHandler } from '../services/types';

export function routeOf(
  handler: RestJsonServiceHandler,
  method: string,
  path: string,
): { route: RestJsonRoute; pathParams: string[] } {
  for (const route of handler.routes) {
    if (route.method !== method) continue;
    const match = route.path.exec(path);
    if (match) return { route, pathParams: match.slice(1).map((p) => decodeURIComponent(p)) };
  }
  throw new SandboxError(
    'UnknownOperationException',
    `The sandbox's ${handler.service} has no route ${method} ${path}`,
    404,
  );
}

export function restJsonSuccess(output: unknown, requestId: string): HttpReply {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: JSON.stringify(output ?? {}),
  };
}

export function restJsonError(error: SandboxError, requestId: string): HttpReply {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
    },
    body: JSON.stringify({ Message: error.message }),
  };
}
