/**
 * Runs the sandbox account on its own: `npx tsx sandbox/main.ts [--port 4566] [--account 123456789012]`.
 * It starts empty; seed it from code (startSandbox().state) or point the tagger/cleanup at it.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      account: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number (0-65535), got '${values.port}'`);
  }
  const sandbox = await startSandbox({ port, host: values.host, accountId: values.account });
  const admin = sandbox.credentials('admin');
  const keys = [...(sandbox.iam?.stack.roles.keys() ?? [])]
    .map((fn) => `${fn}=${sandbox.credentials(fn).accessKeyId}`)
    .join(' ');
  console.log(`ec2-hygiene sandbox account ${sandbox.state.accountId} listening on ${sandbox.url}
Services: ec2, autoscaling, events, sts, ssm, sns (one endpoint; region and service come from the SigV4 scope).
IAM is enforced: each access key signs as one function's role, as the stack defines it
(${keys}); ${admin.accessKeyId} is the administrator, allowed everything.

Point the AWS CLI or an SDK at it:
  export AWS_ENDPOINT_URL=${sandbox.url}
  export AWS_ACCESS_KEY_ID=${admin.accessKeyId} AWS_SECRET_ACCESS_KEY=${admin.secretAccessKey} AWS_REGION=eu-west-1
  aws sts get-caller-identity
  aws ec2 describe-images --owners self

Seed it, inject faults and read the request log over HTTP (routes in sandbox/control.ts):
  curl -s -XPOST ${sandbox.url}/_sandbox/seed -d '{"region":"eu-west-1","images":[{"name":"web","tags":{"AutoCleanup":"true"}}]}'
  curl -s -XPOST ${sandbox.url}/_sandbox/faults -d '{"service":"ec2","code":"RequestLimitExceeded","times":2}'
  curl -s ${sandbox.url}/_sandbox/requests

Ctrl-C to stop.`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
