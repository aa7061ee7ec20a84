/**
 * EC2 query protocol: `<ActionResponse>` with a `requestId` and the result members directly inside
 * (no Result wrapper); errors as `<Response><Errors><Error>` with `RequestID`.
 */
import type { SandboxError } from './errors';
import { xmlReply, type HttpReply } from './http';
import { xmlDocument, type XmlObject } from './xml';

export function ec2Success(action: string, xmlns: string, output: XmlObject, requestId: string): HttpReply {
  return xmlReply(200, xmlDocument(`${action}Response`, xmlns, { requestId, ...output }));
}

export function ec2Error(error: SandboxError, requestId: string): HttpReply {
  return xmlReply(
    error.status,
    xmlDocument('Response', undefined, {
      Errors: { Error: { Code: error.code, Message: error.message } },
      RequestID: requestId,
    }),
  );
}
