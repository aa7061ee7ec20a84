/**
 * SDK v3 clients for one region. The endpoint is not set here on purpose: the SDK reads
 * AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) by itself, which is how tests and the local demo
 * point the real clients at the sandbox without any code path of their own.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { RetryStrategyV2 } from '@smithy/types';

/** Requests these clients sent (each retry counts) and how many were throttled; they only grow. */
export interface RequestStats {
  requests: number;
  throttles: number;
}

export interface AwsClients {
  region: string;
  /** Absent on hand-made test doubles: a run then reports no request metrics. */
  stats?: RequestStats;
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
  eventBridge: EventBridgeClient;
  sts: STSClient;
  /** Only to resolve launch templates' resolve:ssm: image ids. */
  ssm: SSMClient;
  /**
   * A client of a service only one function calls (RDS, for scale-to-zero), built once with the
   * same region, retries and credentials and counted in the same stats. The caller imports that
   * service's SDK itself, so it stays out of the other functions' bundles. A hand-made set without
   * it (serviceClientHook builds one) gets no RDS client at all: never one from a bare region, which
   * would reach whatever endpoint the environment names with whatever credentials it finds.
   */
  serviceClient?: <C extends SdkClient>(name: string, make: (config: ServiceClientConfig) => C) => C;
}

/** What serviceClient's `make` is given: the settings every client of the set shares. */
export interface ServiceClientConfig {
  region: string;
  maxAttempts: number;
  retryStrategy?: RetryStrategyV2;
  retryMode?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

interface SdkClient {
  destroy(): void;
  middlewareStack: unknown;
}

export interface ClientOptions {
  /** Attempts per call including the first; adaptive mode also rate-limits the client after throttling. */
  maxAttempts?: number;
  /**
   * Sign as someone other than the default credential chain says. Lambda never sets it (the
   * function's role is the chain); the demo and tests sign each job as its own function.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * A retry strategy per client instead of adaptive retry. Lambda never sets it; tests pass one
   * with the same attempts and no backoff, so a retried call costs no wall-clock time.
   */
  retryStrategy?: (maxAttempts: number) => RetryStrategyV2;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

type ServiceClients = Pick<AwsClients, 'ec2' | 'autoScaling' | 'eventBridge' | 'sts' | 'ssm'>;

/** The clients createClients actually constructed, so destroyClients does not construct the others. */
const constructed = new WeakMap<AwsClients, { destroy(): void }[]>();

/**
 * Each service's client is constructed on first use (a function that never calls SSM never builds an
 * SSM client); all of them count into the same stats.
 */
export function createClients(region: string, options: ClientOptions = {}): AwsClients {
  // Adaptive retry backs off on RequestLimitExceeded/Throttling and slows the whole client down,
  // which is what a fleet-wide Describe/CreateTags sweep needs when EC2 starts throttling.
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const { retryStrategy } = options;
  // A fresh config per client: a retry strategy keeps per-client state (its retry quota).
  const config = (): ServiceClientConfig => ({
    region,
    maxAttempts,
    ...(retryStrategy ? { retryStrategy: retryStrategy(maxAttempts) } : { retryMode: 'adaptive' }),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const stats: RequestStats = { requests: 0, throttles: 0 };
  const made: Partial<ServiceClients> = {};
  const built: { destroy(): void }[] = [];
  const lazy = <K extends keyof ServiceClients>(key: K, make: () => ServiceClients[K]): ServiceClients[K] => {
    const existing = made[key];
    if (existing) return existing as ServiceClients[K];
    const client = make();
    // Each client's stack is typed by its own service; the counter reads nothing service-specific.
    const stack = client.middlewareStack as unknown as { add(m: unknown, o: object): void };
    stack.add(countRequests(stats), {
      step: 'deserialize',
      name: 'ec2HygieneRequestStats',
      priority: 'high',
    });
    made[key] = client;
    built.push(client);
    return client;
  };
  const extras = new Map<string, SdkClient>();
  const serviceClient = <C extends SdkClient>(name: string, make: (c: ServiceClientConfig) => C): C => {
    const existing = extras.get(name);
    if (existing) return existing as C;
    const client = make(config());
    const stack = client.middlewareStack as { add(m: unknown, o: object): void };
    stack.add(countRequests(stats), {
      step: 'deserialize',
      name: 'ec2HygieneRequestStats',
      priority: 'high',
    });
    extras.set(name, client);
    built.push(client);
    return client;
  };
  const clients: AwsClients = {
    region,
    stats,
    serviceClient,
    get ec2() {
      return lazy('ec2', () => new EC2Client(config()));
    },
    get autoScaling() {
      return lazy('autoScaling', () => new AutoScalingClient(config()));
    },
    get eventBridge() {
      return lazy('eventBridge', () => new EventBridgeClient(config()));
    },
    get sts() {
      return lazy('sts', () => new STSClient(config()));
    },
    get ssm() {
      return lazy('ssm', () => new SSMClient(config()));
    },
  };
  constructed.set(clients, built);
  return clients;
}

/** The throttling error codes of the services these clients call (EC2, the query and JSON ones). */
const THROTTLE_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
]);

/**
 * In the deserialize step, which the SDK's retry (finalizeRequest) wraps: it sees every attempt,
 * retries included, with the error already parsed into its code.
 */
function countRequests(stats: RequestStats) {
  return <O>(next: (args: unknown) => Promise<O>) =>
    async (args: unknown): Promise<O> => {
      stats.requests += 1;
      try {
        return await next(args);
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (THROTTLE_CODES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429) stats.throttles += 1;
        throw err;
      }
    };
}

/**
 * A serviceClient hook for a hand-made client set (the bench, tests): each service's client is
 * built once from `config()`, which names the endpoint, credentials and retries the set's other
 * clients use. Without one, a run reports its RDS part as not read rather than guess at a client.
 */
export function serviceClientHook(
  config: () => ServiceClientConfig & { endpoint?: string },
): NonNullable<AwsClients['serviceClient']> {
  const made = new Map<string, SdkClient>();
  return <C extends SdkClient>(name: string, make: (c: ServiceClientConfig) => C): C => {
    let client = made.get(name);
    if (!client) {
      client = make(config());
      made.set(name, client);
    }
    return client as C;
  };
}

/** Closes the clients' sockets (tests and the CLI; a Lambda keeps them warm). */
export function destroyClients(clients: AwsClients): void {
  const built = constructed.get(clients);
  if (built) {
    for (const client of built) client.destroy();
    return;
  }
  clients.ec2.destroy();
  clients.autoScaling.destroy();
  clients.eventBridge.destroy();
  clients.sts.destroy();
  clients.ssm.destroy();
}
