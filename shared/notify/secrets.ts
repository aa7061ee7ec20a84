/**
 * Webhook URLs live in SSM SecureString parameters. They are read at run time (WithDecryption), cached
 * for the life of the Lambda instance, and never logged or put into error messages.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export interface WebhookSecrets {
  /** The webhook URL stored in the named parameter. Errors name the parameter, never the value. */
  get(parameterName: string): Promise<string>;
}

export function createWebhookSecrets(ssm: SSMClient): WebhookSecrets {
  const cache = new Map<string, Promise<string>>();
  async function read(name: string): Promise<string> {
    let value: string | undefined;
    try {
      const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      value = out.Parameter?.Value;
    } catch (err) {
      const code = (err as { name?: string }).name ?? 'Error';
      const hint =
        code === 'ParameterNotFound'
          ? 'store the webhook URL there as a SecureString (see docs/notifier.md, "Storing a webhook")'
          : 'check the notifier role may ssm:GetParameter it and kms:Decrypt its key';
      throw new Error(`could not read the webhook URL from SSM parameter ${name} (${code}): ${hint}`, {
        cause: err,
      });
    }
    if (value === undefined || !isHttpsUrl(value.trim())) {
      throw new Error(`SSM parameter ${name} does not hold a webhook URL (expected https://...)`);
    }
    return value.trim();
  }
  return {
    get(name) {
      let pending = cache.get(name);
      if (pending === undefined) {
        pending = read(name);
        cache.set(name, pending);
        // A failed read is not cached: the next event tries again (the parameter may have been fixed).
        pending.catch(() => cache.delete(name));
      }
      return pending;
    },
  };
}

/**
 * https only: a webhook URL carries its own credential, which plain http would send in clear. The one
 * exception is the loopback address, where the tests' local receiver listens; nothing listens there
 * inside Lambda, so it cannot carry a message anywhere.
 */
function isHttpsUrl(text: string): boolean {
  try {
    const u = new URL(text);
    if (u.protocol === 'https:') return true;
    return (
      u.protocol === 'http:' &&
      (u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost')
    );
  } catch {
    return false;
  }
}
