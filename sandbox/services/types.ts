/**
 * What a service module provides. Adding a service is one file exporting a ServiceHandler plus one
 * line in services/index.ts; the server does the routing, the protocol does the wire format.
 */
import type { FormParams } from '../protocol/form';
import type { JsonObject } from '../protocol/json';
import type { XmlObject } from '../protocol/xml';
import type { SandboxState } from '../state/account';
import type { RegionState } from '../state/region';

export interface ServiceContext {
  /** Region from the request's SigV4 credential scope. */
  region: RegionState;
  state: SandboxState;
  requestId: string;
}

export type QueryAction = (params: FormParams, ctx: ServiceContext) => XmlObject;
export type JsonAction = (input: JsonObject, ctx: ServiceContext) => unknown;

interface ServiceBase {
  /** The service name in the SigV4 credential scope, e.g. `ec2`, `autoscaling`, `events`. */
  service: string;
}

/** EC2 query (no Result wrapper, `item` lists) or AWS query (`<ActionResult>`, `member` lists). */
export interface QueryServiceHandler extends ServiceBase {
  protocol: 'ec2' | 'query';
  /** The response namespace, e.g. http://ec2.amazonaws.com/doc/2016-11-15/ */
  xmlns: string;
  actions: Record<string, QueryAction>;
}

export interface JsonServiceHandler extends ServiceBase {
  protocol: 'json1.0' | 'json1.1';
  /** The X-Amz-Target prefix, e.g. `AWSEvents` or `AmazonSSM`. */
  targetPrefix: string;
  actions: Record<string, JsonAction>;
}

/**
 * REST-JSON (Recycle Bin): the action is the request's method and path (`POST /list-rules`,
 * `GET /rules/{identifier}`), the body is JSON both ways, errors carry `x-amzn-ErrorType`.
 */
export interface RestJsonRoute {
  method: string;
  /** Matched against the path; its groups are the path parameters, in order. */
  path: RegExp;
  action: string;
  run: (input: JsonObject, pathParams: string[], ctx: ServiceContext) => unknown;
}

export interface RestJsonServiceHandler extends ServiceBase {
  protocol: 'rest-json';
  routes: RestJsonRoute[];
}

export type ServiceHandler = QueryServiceHandler | JsonServiceHandler | RestJsonServiceHandler;
