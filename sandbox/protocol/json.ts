/**
 * AWS JSON 1.0 / 1.1 (EventBridge, SSM, DynamoDB): the action is in `X-Amz-Target: Prefix.Action`,
 * the body is JSON both ways, errors carry `__type` and the `x-amzn-ErrorType` header.
 */
import { SandboxError } from './errors';
import type { HttpReply } from './http';

export type JsonObject = Record<string, unknown>;

export function jsonContentType(version: '1.0' | '1.1'): string {
  return `application/x-amz-json-${version}`;
}

export function parseJsonTarget(target: string | undefined, targetPrefix: string): string {
  if (!target) throw new SandboxError('MissingAction', 'The X-Amz-Target header is missing');
  const dot = target.lastIndexOf('.');
  if (dot < 0 || target.slice(0, dot) !== targetPrefix) {
    throw new SandboxError(
      'UnknownOperationException',
      `Unknown target ${target}; expected ${targetPrefix}.<Action>`,
    );
  }
  return target.slice(dot + 1);
}

export function parseJsonBody(body: string): JsonObject {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // fall through to the error below
  }
  throw new SandboxError('SerializationException', 'The request body is not a JSON object');
}

export function jsonSuccess(version: '1.0' | '1.1', output: unknown, requestId: string): HttpReply {
  return {
    status: 200,
    headers: { 'content-type': jsonContentType(version), 'x-amzn-requestid': requestId },
    body: JSON.stringify(output ?? {}),
  };
}

export function jsonError(version: '1.0' | '1.1', error: SandboxError, requestId: string): HttpReply {
  return {
    status: error.status,
    headers: {
      'content-type': jsonContentType(version),
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
      ...(error.queryCode
        ? { 'x-amzn-query-error': `${error.queryCode};${error.status >= 500 ? 'Receiver' : 'Sender'}` }
        : {}),
    },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}
