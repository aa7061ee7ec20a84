/**
 * AWS query protocol (Auto Scaling, STS, SNS): `<ActionResponse><ActionResult>…</ActionResult>
 * <ResponseMetadata>` and errors as `<ErrorResponse><Error><Type><Code><Message>`.
 */
import type { SandboxError } from './errors';
import { xmlReply, type HttpReply } from './http';
import { xmlDocument, type XmlObject } from './xml';

export function querySuccess(action: string, xmlns: string, output: XmlObject, requestId: string): HttpReply {
  return xmlReply(
    200,
    xmlDocument(`${action}Response`, xmlns, {
      [`${action}Result`]: output,
      ResponseMetadata: { RequestId: requestId },
    }),
  );
}

export function queryError(error: SandboxError, xmlns: string, requestId: string): HttpReply {
  return xmlReply(
    error.status,
    xmlDocument('ErrorResponse', xmlns, {
      Error: { Type: error.status >= 500 ? 'Receiver' : 'Sender', Code: error.code, Message: error.message },
      RequestId: requestId,
    }),
  );
}
