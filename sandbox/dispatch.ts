/**
 * Turns one HTTP request into one service call: the SigV4 scope names the service and region, the
 * service's protocol names the action and decodes the input, faults may answer first, and the
 * protocol renders the result or the error in its own wire shape.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Faults } from './faults';
import { denialMessage, type SandboxIam } from './iam/authorize';
import { authorizationChecks } from './iam/requests';
import { ec2Error, ec2Success } from './protocol/ec2';
import { SandboxError } from './protocol/errors';
import { parseForm, type FormParams } from './protocol/form';
import type { HttpReply } from './protocol/http';
import { jsonError, jsonSuccess, parseJsonBody, parseJsonTarget, type JsonObject } from './protocol/json';
import { queryError, querySuccess } from './protocol/query';
import { parseCredentialScope } from './protocol/sigv4';
import type { RequestLog } from './requests';
import { restJsonError, restJsonSuccess, routeOf } from './protocol/rest-json';
import type { JsonServiceHandler, RestJsonRoute, ServiceHandler } from './services/types';
import type { SandboxState } from './state/account';

export interface Dispatcher {
  /** `request` (method and path) routes the REST protocols; the others name the action in headers or body. */
  handle(
    headers: IncomingHttpHeaders,
    body: string,
    request?: { method: string; path: string },
  ): Promise<HttpReply>;
}

interface Decoded {
  action: string;
  /** Whether the request names this id anywhere (for resource-bound faults). */
  mentions: (id: string) => boolean;
  params?: FormParams;
  json?: JsonObject;
  /** Top-level parameter -> member count, for the token buckets and the request log. */
  sizes: Record<string, number>;
  /** REST-JSON: the route matched and its path parameters. */
  route?: { run: RestJsonRoute['run']; pathParams: string[] };
}

function isJson(handler: ServiceHandler): handler is JsonServiceHandler {
  return handler.protocol === 'json1.0' || handler.protocol === 'json1.1';
}

/**
 * Query-protocol parameters by top-level name with their member counts: `InstanceId.1..N` (EC2) and
 * `Tags.member.1..N` (AWS query) count N, a scalar counts 1. Action and Version are left out: every
 * request has them. EC2's resource buckets charge per member (one token per instance).
 */
export function formSizes(params: FormParams): Record<string, number> {
  const members = new Map<string, Set<string>>();
  for (const key of params.keys()) {
    const parts = key.split('.');
    const name = parts[0]!;
    if (name === 'Action' || name === 'Version') continue;
    let set = members.get(name);
    if (!set) members.set(name, (set = new Set()));
    const index = parts[1] === 'member' ? parts[2] : parts[1];
    set.add(index !== undefined && /^\d+$/.test(index) ? index : '');
  }
  const out: Record<string, number> = {};
  for (const [name, set] of members) out[name] = set.has('') ? 1 : set.size;
  return out;
}

/** The JSON protocols' top-level members: an array counts its length, anything else 1. */
function jsonSizes(body: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body || '{}');
  } catch {
    return {};
  }
  const out: Record<string, number> = {};
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [k, v] of Object.entries(parsed)) out[k] = Array.isArray(v) ? v.length : 1;
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createDispatcher(
  services: readonly ServiceHandler[],
  state: SandboxState,
  faults: Faults,
  log: RequestLog,
  /** Undefined: every signed request is allowed (only for the sandbox's own protocol tests). */
  iam?: SandboxIam,
): Dispatcher {
  const byScope = new Map(services.map((s) => [s.service, s]));
  let requestCounter = 0;

  /** AWS's answer to a request the caller's role does not allow, in each protocol's own code. */
  function denied(handler: ServiceHandler, message: string): SandboxError {
    if (handler.protocol === 'ec2') {
      // EC2 adds an encoded message that `sts decode-authorization-message` would expand.
      const encoded = Buffer.from(message).toString('base64');
      return new SandboxError(
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. ${message}. Encoded authorization failure message: ${encoded}`,
        403,
      );
    }
    const jsonFamily = isJson(handler) || handler.protocol === 'rest-json';
    return new SandboxError(jsonFamily ? 'AccessDeniedException' : 'AccessDenied', message, 403);
  }

  async function authorize(
    handler: ServiceHandler,
    accessKeyId: string,
    facts: { service: string; action: string; region: string; decoded: Decoded },
  ): Promise<void> {
    if (!iam) return;
    const principal = iam.principalFor(accessKeyId);
    if (principal.kind === 'admin') return;
    if (principal.kind === 'unknown') {
      throw new SandboxError(
        handler.protocol === 'ec2'
          ? 'AuthFailure'
          : isJson(handler) || handler.protocol === 'rest-json'
            ? 'UnrecognizedClientException'
            : 'InvalidClientTokenId',
        `The security token included in the request is invalid: the sandbox knows access key '${principal.accessKey}' as no function's role. Sign with sandbox.credentials('<function>') or the admin key.`,
        403,
      );
    }
    const checks = authorizationChecks({
      service: facts.service,
      action: facts.action,
      region: state.region(facts.region),
      accountId: state.accountId,
      ...(facts.decoded.params ? { params: facts.decoded.params } : {}),
      ...(facts.decoded.json ? { json: facts.decoded.json } : {}),
      ...(facts.decoded.route?.pathParams[0] ? { ruleId: facts.decoded.route.pathParams[0] } : {}),
    });
    const denial = await iam.firstDenial(principal, checks);
    if (denial) throw denied(handler, denialMessage(denial));
  }

  function errorReply(
    handler: ServiceHandler | undefined,
    error: SandboxError,
    requestId: string,
  ): HttpReply {
    if (!handler || handler.protocol === 'query') return queryError(error, handler?.xmlns ?? '', requestId);
    if (handler.protocol === 'ec2') return ec2Error(error, requestId);
    if (handler.protocol === 'rest-json') return restJsonError(error, requestId);
    return jsonError(handler.protocol === 'json1.0' ? '1.0' : '1.1', error, requestId);
  }

  function decode(
    handler: ServiceHandler,
    headers: IncomingHttpHeaders,
    body: string,
    request: { method: string; path: string } | undefined,
  ): Decoded {
    if (handler.protocol === 'rest-json') {
      const { route, pathParams } = routeOf(handler, request?.method ?? 'POST', request?.path ?? '/');
      return {
        action: route.action,
        mentions: (id) => body.includes(JSON.stringify(id)) || pathParams.includes(id),
        json: parseJsonBody(body),
        sizes: jsonSizes(body),
        route: { run: route.run, pathParams },
      };
    }
    if (isJson(handler)) {
      const target = headers['x-amz-target'];
      const action = parseJsonTarget(Array.isArray(target) ? target[0] : target, handler.targetPrefix);
      return {
        action,
        mentions: (id) => body.includes(JSON.stringify(id)),
        json: parseJsonBody(body),
        sizes: jsonSizes(body),
      };
    }
    const params = parseForm(body);
    const action = params.get('Action');
    if (!action) throw new SandboxError('MissingAction', 'The request must contain the parameter Action');
    const mentions = (id: string) => {
      for (const value of params.values()) if (value === id) return true;
      return false;
    };
    return { action, mentions, params, sizes: formSizes(params) };
  }

  return {
    async handle(headers, body, request) {
      const requestId = `00000000-0000-4000-8000-${(++requestCounter).toString(16).padStart(12, '0')}`;
      const scope = parseCredentialScope(
        Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization,
      );
      if (!scope) {
        const error = new SandboxError(
          'MissingAuthenticationToken',
          'Request is not SigV4-signed: the sandbox reads service and region from the Authorization credential scope',
          403,
        );
        return errorReply(undefined, error, requestId);
      }
      const handler = byScope.get(scope.service);
      const record = (
        action: string,
        reply: HttpReply,
        errorCode: string | undefined,
        injected: boolean,
        params?: Record<string, number>,
      ) =>
        log.record({
          service: scope.service,
          action,
          region: scope.region,
          status: reply.status,
          errorCode,
          injected,
          ...(params ? { params } : {}),
        });
      if (!handler) {
        const reply = errorReply(
          undefined,
          new SandboxError('UnknownService', `The sandbox does not implement the service '${scope.service}'`),
          requestId,
        );
        record('?', reply, 'UnknownService', false);
        return reply;
      }

      let action = '?';
      let sizes: Record<string, number> | undefined;
      try {
        const decoded = decode(handler, headers, body, request);
        action = decoded.action;
        sizes = decoded.sizes;
        await authorize(handler, scope.accessKeyId, {
          service: scope.service,
          action,
          region: scope.region,
          decoded,
        });
        const hit = faults.check({
          service: scope.service,
          action,
          region: scope.region,
          mentions: decoded.mentions,
          params: sizes,
        });
        if (hit) {
          if (hit.delayMs > 0) await sleep(hit.delayMs);
          if (hit.code) {
            const reply = errorReply(handler, new SandboxError(hit.code, hit.message, hit.status), requestId);
            record(action, reply, hit.code, true, sizes);
            return reply;
          }
        }
        const ctx = { region: state.region(scope.region), state, requestId };
        let reply: HttpReply;
        if (decoded.route) {
          reply = restJsonSuccess(
            decoded.route.run(decoded.json ?? {}, decoded.route.pathParams, ctx),
            requestId,
          );
        } else if (isJson(handler)) {
          const run = handler.actions[action];
          if (!run)
            throw new SandboxError('UnknownOperationException', `The sandbox does not implement ${action}`);
          reply = jsonSuccess(
            handler.protocol === 'json1.0' ? '1.0' : '1.1',
            run(decoded.json ?? parseJsonBody(body), ctx),
            requestId,
          );
        } else {
          if (handler.protocol === 'rest-json')
            throw new Error('unreachable: a REST route is always decoded');
          const run = handler.actions[action];
          if (!run) {
            throw new SandboxError(
              'InvalidAction',
              `The action ${action} is not valid for this web service.`,
            );
          }
          const output = run(decoded.params ?? parseForm(body), ctx);
          reply = (handler.protocol === 'ec2' ? ec2Success : querySuccess)(
            action,
            handler.xmlns,
            output,
            requestId,
          );
        }
        record(action, reply, undefined, false, sizes);
        return reply;
      } catch (thrown) {
        const error =
          thrown instanceof SandboxError
            ? thrown
            : new SandboxError(
                'InternalError',
                `Sandbox bug in ${scope.service}:${action}: ${String(thrown)}`,
                500,
              );
        if (!(thrown instanceof SandboxError)) console.error(thrown);
        const reply = errorReply(handler, error, requestId);
        record(action, reply, error.code, false, sizes);
        return reply;
      }
    },
  };
}
