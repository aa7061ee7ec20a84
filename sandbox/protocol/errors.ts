/**
 * The one error type every service throws. Each protocol renders it in its own wire shape, so a
 * service only says what went wrong (AWS's code, a message naming the resource) and the HTTP status.
 */
export class SandboxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /**
     * The AWS query-protocol code of a query-compatible JSON service (CloudWatch): sent in the
     * `x-amzn-query-error` header, which is where that SDK reads the error's name from.
     */
    readonly queryCode?: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** HTTP status AWS uses for the codes the fault injector is usually asked for. */
export function defaultStatusFor(code: string): number {
  switch (code) {
    case 'RequestLimitExceeded':
    case 'ServiceUnavailable':
    case 'Unavailable':
      return 503;
    case 'InternalError':
    case 'InternalFailure':
    case 'InternalServerError':
      return 500;
    case 'UnauthorizedOperation':
    case 'AccessDenied':
    case 'AccessDeniedException':
    case 'AuthFailure':
      return 403;
    default:
      return 400;
  }
}
