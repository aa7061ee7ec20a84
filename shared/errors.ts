/** Generic error helpers shared by the adapters, the jobs, the report and the CLI. */

/**
 * An error as one readable line: "Code: message" for an AWS SDK error (its name is the service's
 * error code), the message alone when the name adds nothing, String(err) for a non-Error throw.
 */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = errorCode(err);
    return code && code !== 'Error' && !err.message.startsWith(code)
      ? `${code}: ${err.message}`
      : err.message;
  }
  return String(err);
}

/** The AWS error code of a thrown value (the SDK puts it in `name`), or undefined. */
export function errorCode(err: unknown): string | undefined {
  return (err as { name?: string } | null | undefined)?.name;
}
