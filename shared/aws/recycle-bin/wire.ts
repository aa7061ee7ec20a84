/**
 * Recycle Bin's two read calls, signed here with the SDK's own SigV4 signer (@smithy/signature-v4,
 * which every client already bundles) and the EC2 client's credentials, retry strategy and request
 * counter, instead of @aws-sdk/client-rbin: this registry's newest client-rbin (3.523) is far older
 * than the other clients and brings its own copy of the SDK core (docs/performance.md has the
 * figures). REST-JSON: `POST /list-rules`, `GET /rules/{identifier}`; errors carry x-amzn-ErrorType.
 * The endpoint follows the SDK's rules: AWS_ENDPOINT_URL_RBIN, then AWS_ENDPOINT_URL, then AWS's.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsClients } from '../clients';
import type { RecycleBinCalls, WireRule } from './read';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The SDK's Checksum over node:crypto (what @smithy/hash-node does). */
class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** A failed call, shaped like the SDK's service exceptions (name = AWS's error code). */
export class RecycleBinError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

const THROTTLES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling']);

function endpointFor(region: string, env: NodeJS.ProcessEnv): URL {
  const configured = env.AWS_ENDPOINT_URL_RBIN ?? env.AWS_ENDPOINT_URL;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(configured ?? `https://rbin.${region}.${suffix}`);
}

/** The parts of the EC2 client's resolved config this borrows; typed loosely on purpose. */
interface BorrowedConfig {
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  retryStrategy: () => Promise<RetryStrategyLike>;
}

interface RetryToken {
  getRetryDelay(): number;
}

interface RetryStrategyLike {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, error: { errorType: string }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

/** Recycle Bin calls for this region, signed as the EC2 client signs (same credentials, retries, stats). */
export function recycleBinCalls(clients: AwsClients, env: NodeJS.ProcessEnv = process.env): RecycleBinCalls {
  const { region } = clients;
  const config = clients.ec2.config as unknown as BorrowedConfig;
  const signer = new SignatureV4({
    service: 'rbin',
    region,
    credentials: config.credentials,
    sha256: Sha256,
  });
  const endpoint = endpointFor(region, env);

  async function once(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host: endpoint.host };
    if (text !== undefined) headers['content-type'] = 'application/json';
    const basePath = endpoint.pathname.replace(/\/$/, '');
    const signed = await signer.sign({
      method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: basePath + path,
      query: {},
      headers,
      ...(text !== undefined ? { body: text } : {}),
    });
    if (clients.stats) clients.stats.requests += 1;
    const response = await fetch(new URL(basePath + path, endpoint), {
      method,
      headers: signed.headers,
      ...(text !== undefined ? { body: text } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const raw = await response.text();
    const parsed: Record<string, unknown> = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (response.ok) return parsed;
    const code = (
      response.headers.get('x-amzn-errortype') ?? String(parsed.__type ?? parsed.code ?? 'UnknownError')
    ).split(':')[0]!;
    const message = String(parsed.Message ?? parsed.message ?? `HTTP ${response.status}`);
    if (clients.stats && (THROTTLES.has(code) || response.status === 429)) clients.stats.throttles += 1;
    throw new RecycleBinError(code, message, response.status);
  }

  /** The SDK's retry loop: throttling and 5xx are retried by the EC2 client's own strategy. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const strategy = await config.retryStrategy();
    let token = await strategy.acquireInitialRetryToken('rbin');
    for (;;) {
      try {
        const out = await once(method, path, body);
        strategy.recordSuccess(token);
        return out;
      } catch (err) {
        const status = err instanceof RecycleBinError ? err.$metadata.httpStatusCode : 0;
        const errorType =
          err instanceof RecycleBinError && (THROTTLES.has(err.name) || status === 429)
            ? 'THROTTLING'
            : status >= 500 || !(err instanceof RecycleBinError)
              ? 'TRANSIENT'
              : 'CLIENT_ERROR';
        if (errorType === 'CLIENT_ERROR') throw err;
        try {
          token = await strategy.refreshRetryTokenForRetry(token, { errorType });
        } catch {
          throw err;
        }
        const delay = token.getRetryDelay();
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  return {
    listRules: async (input) =>
      (await call('POST', '/list-rules', input)) as Awaited<ReturnType<RecycleBinCalls['listRules']>>,
    getRule: async (id) => (await call('GET', `/rules/${encodeURIComponent(id)}`)) as WireRule,
  };
}
