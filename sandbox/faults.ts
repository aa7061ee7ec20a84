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
  /** Bucket size: this many tokens may be spent at once. */
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
  /**
   * What a request costs. Omitted: one token (a request bucket). A list parameter's name: one token
   * per member of that list in the request, e.g. 'InstanceId' counts InstanceId.1..N (EC2's
   * resource buckets, such as StartInstances' one token per instance).
   */
  costPer?: string;
  /**
   * Only requests that carry none of these parameters, e.g. ['MaxResults', 'NextToken', 'Filter']
   * for EC2's "unfiltered and unpaginated" Describe bucket.
   */
  unlessParams?: string[];
  /** Only requests that carry at least one of these parameters (the paginated/filtered case). */
  ifAnyParam?: string[];
}

export interface FaultHit {
  code?: string;
  status: number;
  message: string;
  delayMs: number;
}

/** What the token buckets look at: the request's service, action, region and parameter sizes. */
export interface BucketRequest {
  service: string;
  action: string;
  region: string;
  /**
   * The request's top-level parameters with their member counts: a scalar counts 1, a list its
   * members (`InstanceId.1..100` -> InstanceId: 100, `Tags.member.1..3` -> Tags: 3). Absent: none known.
   */
  params?: Readonly<Record<string, number>>;
}

export interface RequestFacts extends BucketRequest {
  mentions: (id: string) => boolean;
}

/** Whether a bucket spec applies to a request (service, action(s) and parameter conditions). */
export function bucketApplies(spec: ThrottleSpec, request: BucketRequest): boolean {
  if (spec.service !== undefined && spec.service !== request.service) return false;
  if (spec.action !== undefined && spec.action !== request.action) return false;
  if (spec.actions !== undefined && !spec.actions.includes(request.action)) return false;
  const has = (name: string) => (request.params?.[name] ?? 0) > 0;
  if (spec.unlessParams?.some(has)) return false;
  if (spec.ifAnyParam !== undefined && !spec.ifAnyParam.some(has)) return false;
  return true;
}

/** Tokens a request takes from a bucket: 1, or the size of the spec's `costPer` list. */
export function requestCost(spec: ThrottleSpec, request: BucketRequest): number {
  return spec.costPer === undefined ? 1 : (request.params?.[spec.costPer] ?? 0);
}

/** Float slack so that waiting exactly `waitMs` is always enough to be admitted. */
const EPSILON = 1e-9;

/**
 * EC2's token buckets, with the clock passed in: the sandbox admits live requests with it and the
 * benchmark replays a request log through the same code (bench/measure.ts simulatedMs).
 *
 * A request must be covered by every bucket that applies to it (a request bucket, and for
 * Start/Stop/Run/TerminateInstances also a resource bucket). It is admitted only when all of them
 * hold its cost, and then takes from all; a request one bucket refuses takes nothing from the
 * others. AWS says only that either bucket can throttle the request; all-or-nothing is the choice
 * that does not make a refused request cost the client capacity it never used.
 *
 * A cost above the bucket's size (e.g. 1500 instances in one StartInstances, bucket 1000) would
 * never fit a strict bucket and the request would be refused forever. EC2 says a full resource
 * bucket lets you "immediately launch 1000 instances, using any number of API requests", so here
 * such a request is admitted once the bucket is full and leaves it in debt (negative): the next
 * requests wait until the refill has paid it back, which keeps the long-run rate EC2 publishes.
 */
export class TokenBuckets {
  private readonly specs: ThrottleSpec[] = [];
  /** Per spec: tokens per bucket key (region + service + action, or region only when shared). */
  private readonly levels = new Map<ThrottleSpec, Map<string, { tokens: number; at: number }>>();

  constructor(specs: readonly ThrottleSpec[] = []) {
    for (const spec of specs) this.add(spec);
  }

  add(spec: ThrottleSpec): void {
    if (!(spec.burst > 0) || !(spec.refillPerSecond >= 0)) {
      throw new Error(
        `sandbox throttle ${spec.service ?? '*'}:${spec.action ?? spec.actions?.join(',') ?? '*'}: burst must be > 0 and refillPerSecond >= 0, got ${spec.burst} and ${spec.refillPerSecond}`,
      );
    }
    this.specs.push(spec);
    this.levels.set(spec, new Map());
  }

  clear(): void {
    this.specs.length = 0;
    this.levels.clear();
  }

  get size(): number {
    return this.specs.length;
  }

  /**
   * Admits the request at `nowMs` and takes its cost from every bucket that applies; or, when one
   * of them cannot cover it, takes nothing and returns that bucket's spec.
   */
  admit(request: BucketRequest, nowMs: number): ThrottleSpec | undefined {
    const charges = this.charges(request, nowMs);
    for (const c of charges) {
      if (c.tokens + EPSILON < c.needed) {
        // Refused: the refill so far is kept (it happened), nothing is taken.
        for (const x of charges) x.level.set(x.key, { tokens: x.tokens, at: nowMs });
        return c.spec;
      }
    }
    for (const c of charges) c.level.set(c.key, { tokens: c.tokens - c.cost, at: nowMs });
    return undefined;
  }

  /** Milliseconds from `nowMs` until `admit` would let the request through (Infinity: never). */
  waitMs(request: BucketRequest, nowMs: number): number {
    let wait = 0;
    for (const c of this.charges(request, nowMs)) {
      const missing = c.needed - c.tokens;
      if (missing <= EPSILON) continue;
      const refill = c.spec.refillPerSecond;
      wait = Math.max(wait, refill > 0 ? (missing / refill) * 1000 : Number.POSITIVE_INFINITY);
    }
    return wait;
  }

  private charges(request: BucketRequest, nowMs: number) {
    const out = [];
    for (const spec of this.specs) {
      if (!bucketApplies(spec, request)) continue;
      const level = this.levels.get(spec)!;
      const key = spec.shared ? request.region : `${request.region}:${request.service}:${request.action}`;
      const current = level.get(key) ?? { tokens: spec.burst, at: nowMs };
      const elapsed = Math.max(0, nowMs - current.at);
      const tokens = Math.min(spec.burst, current.tokens + (elapsed / 1000) * spec.refillPerSecond);
      const cost = requestCost(spec, request);
      // A cost above the bucket's size needs a full bucket (see the class comment).
      out.push({ spec, level, key, tokens, cost, needed: Math.min(cost, spec.burst) });
    }
    return out;
  }
}

/** Latency added to every matching request, e.g. to model a real endpoint's round trip. */
export type Latency = number | ((request: { service: string; action: string; region: string }) => number);

export class Faults {
  private readonly faults: Fault[] = [];
  private readonly buckets = new TokenBuckets();
  private nextId = 1;
  private latency: Latency = 0;

  /** `now()` in milliseconds, for the throttle model only. */
  constructor(private now: () => number = () => performance.now()) {}

  /** Replaces the throttle model's clock: a test's virtual clock makes refills independent of the machine's speed. */
  useClock(now: () => number): void {
    this.now = now;
  }

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

  /**
   * A token bucket per service:action (or shared, or per resource: see ThrottleSpec): when a request
   * does not fit, it is refused with a throttling error. See TokenBuckets for how buckets combine.
   */
  throttle(spec: ThrottleSpec): void {
    this.buckets.add(spec);
  }

  /** Adds this delay (ms, or a function of the request) to every request; 0 turns it off. */
  setLatency(latency: Latency): void {
    this.latency = latency;
  }

  /** Removes every fault, throttle and the latency. */
  clear(): void {
    this.faults.length = 0;
    this.buckets.clear();
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
    const refused = this.buckets.admit(request, this.now());
    if (!refused) return undefined;
    const code = refused.code ?? (request.service === 'ec2' ? 'RequestLimitExceeded' : 'Throttling');
    return { code, status: defaultStatusFor(code), message: 'Request limit exceeded.' };
  }

  private matches(fault: Fault, request: RequestFacts): boolean {
    return (
      (fault.service === undefined || fault.service === request.service) &&
      (fault.action === undefined || fault.action === request.action) &&
      (fault.region === undefined || fault.region === request.region) &&
      (fault.resourceId === undefined || request.mentions(fault.resourceId))
    );
  }
}
