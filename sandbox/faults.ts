/**
 * Fault injection. Faults use the codes the SDK itself retries (EC2 `RequestLimitExceeded` 503,
 * Auto Scaling `Throttling` 400, `InternalError` 500, `ServiceUnavailable` 503), so the tests
 * exercise the SDK's real retry path; a resource-bound fault models a permanent per-resource
 * failure (e.g. DeregisterImage of one AMI answers `UnauthorizedOperation`).
 */
import { defaultStatusFor } from './protocol/errors';

export interface FaultSpec {
  /** Scope name (`ec2`, `autoscaling`, ...); any service when omitted. */
  service?: string;
  /** Action name (`DescribeImages`); any action when omitted. */
  action?: string;
  /** Only requests signed for this region. */
  region?: string;
  /** Only requests that mention this id anywhere in their parameters. */
  resourceId?: string;
  /** The AWS error code to answer with; omit for a slow but successful answer (delayMs). */
  code?: string;
  /** Default: AWS's status for the code (RequestLimitExceeded 503, Throttling 400, ...). */
  status?: number;
  message?: string;
  /** How many matching requests the fault hits; unlimited when omitted. */
  times?: number;
  /** Wait this long before answering (with the error, or normally when there is no code). */
  delayMs?: number;
}

export interface Fault extends FaultSpec {
  readonly id: number;
  /** Matching requests this fault has hit so far. */
  hits: number;
}

export interface ThrottleSpec {
  service?: string;
  /** One action, or several (see `shared`); every action of the service when both are omitted. */
  action?: string;
  actions?: string[];
  /** Bucket size: this many requests may go at once. */
  burst: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /**
   * false (default): one bucket per region and action, like EC2's per-API buckets. true: the
   * matching actions share one bucket per region (EC2's "non-mutating actions" category).
   */
  shared?: boolean;
  /** Default: RequestLimitExceeded for ec2, Throttling otherwise. */
  code?: string;
}

export interface FaultHit {
  code?: string;
  status: number;
  message: string;
  delayMs: number;
}

export interface RequestFacts {
  service: string;
  action: string;
  region: string;
  mentions: (id: string) => boolean;
}

interface Bucket {
  spec: ThrottleSpec;
  /** Tokens per bucket key (region + action, or region only when shared). */
  tokens: Map<string, { tokens: number; at: number }>;
}

/** Latency added to every matching request, e.g. to model a real endpoint's round trip. */
export type Latency = number | ((request: { service: string; action: string; region: string }) => number);

export class Faults {
  private readonly faults: Fault[] = [];
  private readonly buckets: Bucket[] = [];
  private nextId = 1;
  private latency: Latency = 0;

  /** `now()` in milliseconds, for the throttle model only (nothing a test asserts on). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  add(spec: FaultSpec): Fault {
    if (spec.code === undefined && spec.delayMs === undefined) {
      throw new Error('sandbox fault: give a code (an AWS error code) or delayMs (a slow answer)');
    }
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: number): void {
    const index = this.faults.findIndex((f) => f.id === id);
    if (index >= 0) this.faults.splice(index, 1);
  }

  /** A token bucket per service:action: when empty, requests are refused with a throttling error. */
  throttle(spec: ThrottleSpec): void {
    this.buckets.push({ spec, tokens: new Map() });
  }

  /** Adds this delay (ms, or a function of the request) to every request; 0 turns it off. */
  setLatency(latency: Latency): void {
    this.latency = latency;
  }

  /** Removes every fault, throttle and the latency. */
  clear(): void {
    this.faults.length = 0;
    this.buckets.length = 0;
    this.latency = 0;
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /**
   * What happens to a request: the delays of every matching slow-answer fault plus the latency add
   * up; the first matching error fault (then the throttles) decides the error, if any.
   */
  check(request: RequestFacts): FaultHit | undefined {
    let delayMs = typeof this.latency === 'function' ? this.latency(request) : this.latency;
    let error: { code: string; status: number; message: string } | undefined;
    for (const fault of this.faults) {
      if (!this.matches(fault, request)) continue;
      if (fault.code !== undefined && error) continue;
      if (fault.times !== undefined && fault.hits >= fault.times) continue;
      fault.hits++;
      delayMs += fault.delayMs ?? 0;
      if (fault.code === undefined) continue;
      const message =
        fault.message ??
        (fault.resourceId
          ? `Injected ${fault.code} for ${fault.resourceId} on ${request.action}`
          : `Injected ${fault.code} on ${request.service}:${request.action}`);
      error = { code: fault.code, status: fault.status ?? defaultStatusFor(fault.code), message };
    }
    if (!error) error = this.throttled(request);
    if (!error && delayMs <= 0) return undefined;
    return { ...error, status: error?.status ?? 200, message: error?.message ?? '', delayMs };
  }

  private throttled(request: RequestFacts): { code: string; status: number; message: string } | undefined {
    for (const bucket of this.buckets) {
      const { spec } = bucket;
      if (spec.service !== undefined && spec.service !== request.service) continue;
      if (spec.action !== undefined && spec.action !== request.action) continue;
      if (spec.actions !== undefined && !spec.actions.includes(request.action)) continue;
      const key = spec.shared ? request.region : `${request.region}:${request.service}:${request.action}`;
      if (this.take(bucket, key)) continue;
      const code = spec.code ?? (request.service === 'ec2' ? 'RequestLimitExceeded' : 'Throttling');
      return { code, status: defaultStatusFor(code), message: 'Request limit exceeded.' };
    }
    return undefined;
  }

  private matches(fault: Fault, request: RequestFacts): boolean {
    return (
      (fault.service === undefined || fault.service === request.service) &&
      (fault.action === undefined || fault.action === request.action) &&
      (fault.region === undefined || fault.region === request.region) &&
      (fault.resourceId === undefined || request.mentions(fault.resourceId))
    );
  }

  private take(bucket: Bucket, key: string): boolean {
    const now = this.now();
    const { burst, refillPerSecond } = bucket.spec;
    const current = bucket.tokens.get(key) ?? { tokens: burst, at: now };
    const tokens = Math.min(burst, current.tokens + ((now - current.at) / 1000) * refillPerSecond);
    if (tokens < 1) {
      bucket.tokens.set(key, { tokens, at: now });
      return false;
    }
    bucket.tokens.set(key, { tokens: tokens - 1, at: now });
    return true;
  }
}
