/**
 * The local AWS account: one HTTP endpoint on 127.0.0.1 that the real SDK v3 clients talk to
 * unchanged (AWS_ENDPOINT_URL or the client's `endpoint`). See docs/local-account.md.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, handleControl } from './control';
import { createDispatcher } from './dispatch';
import { Faults } from './faults';
import { ADMIN_ACCESS_KEY, SandboxIam, accessKeyFor } from './iam/authorize';
import { loadStackRoles, type StackOptions } from './iam/stack';
import { RequestLog } from './requests';
import { SERVICES } from './services';
import type { ServiceHandler } from './services/types';
import { DEFAULT_ACCOUNT_ID, SandboxState } from './state/account';

export interface SandboxOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1; the sandbox is never meant to listen beyond the machine. */
  host?: string;
  /** The account id STS reports and owned resources carry. Default 123456789012. */
  accountId?: string;
  /** Extra or replacement services (matched by scope name), e.g. for a test double. */
  services?: readonly ServiceHandler[];
  /**
   * IAM: each request is authorized against the role of the function whose credentials signed it,
   * as the stack defines that role (stage `local` unless given, the stack's default parameters
   * unless given). `false` allows every signed request: only the sandbox's own protocol tests.
   */
  iam?: StackOptions | false;
}

/** Who signs: a function of the stack (its role applies) or the sandbox's administrator. */
export type Caller = 'tagger' | 'cleanup' | 'scale-to-zero' | 'notifier' | 'admin' | (string & {});

export interface SandboxCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT: give it to SDK clients as `endpoint` or AWS_ENDPOINT_URL. */
  readonly url: string;
  readonly port: number;
  readonly state: SandboxState;
  readonly faults: Faults;
  readonly requests: RequestLog;
  /** The stack's IAM as the sandbox enforces it; undefined when started with `iam: false`. */
  readonly iam: SandboxIam | undefined;
  /** Credentials that sign as `caller`: a function's role, or the administrator (seeding, checks). */
  credentials(caller: Caller): SandboxCredentials;
  /** Environment for a child process or handler: AWS_ENDPOINT_URL plus the caller's credentials. */
  env(region: string, caller: Caller): Record<string, string>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const state = new SandboxState(options.accountId ?? DEFAULT_ACCOUNT_ID);
  const faults = new Faults();
  const requests = new RequestLog();
  const overrides = new Map((options.services ?? []).map((s) => [s.service, s]));
  const services = [...SERVICES.filter((s) => !overrides.has(s.service)), ...overrides.values()];
  const iam =
    options.iam === false
      ? undefined
      : new SandboxIam(await loadStackRoles(state.accountId, options.iam ?? {}));
  const dispatcher = createDispatcher(services, state, faults, requests, iam);
  const credentials = (caller: Caller): SandboxCredentials => {
    if (caller !== 'admin' && iam && !iam.stack.roles.has(caller)) {
      throw new Error(
        `sandbox.credentials: no function '${caller}' in the stack (${[...iam.stack.roles.keys()].join(', ')})`,
      );
    }
    return {
      accessKeyId: caller === 'admin' ? ADMIN_ACCESS_KEY : accessKeyFor(caller),
      secretAccessKey: 'sandbox',
    };
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    readBody(request)
      .then((body) =>
        url.pathname.startsWith(CONTROL_PREFIX)
          ? handleControl(request.method ?? 'GET', url, body, { state, faults, requests })
          : dispatcher.handle(request.headers, body, {
              method: request.method ?? 'GET',
              path: url.pathname,
            }),
      )
      .then((reply) => {
        response.writeHead(reply.status, {
          ...reply.headers,
          'content-length': Buffer.byteLength(reply.body),
        });
        response.end(reply.body);
      })
      .catch((error: unknown) => {
        console.error('sandbox: request failed', error);
        response.writeHead(500).end();
      });
  });
  // The SDK keeps connections alive; don't let an idle one hold close() up.
  server.keepAliveTimeout = 1000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  return {
    url,
    port,
    state,
    faults,
    requests,
    iam,
    credentials,
    env: (region, caller) => {
      const c = credentials(caller);
      return {
        AWS_ENDPOINT_URL: url,
        AWS_ACCESS_KEY_ID: c.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
        AWS_REGION: region,
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
