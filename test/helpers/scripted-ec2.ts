/** A scripted EC2 client for unit tests of the AWS adapters: nothing leaves the process. */
import { EC2Client } from '@aws-sdk/client-ec2';
import type { Image } from '../../shared/domain';
import type { PlannedImageDeletion } from '../../shared/plan/cleanup';
import type { AwsClients } from '../../shared/aws/clients';

export type Call = { action: string; input: Record<string, unknown> };

/** A real EC2 client (the SDK's paginators insist on one) whose send answers from `answer`. */
export function fakeClients(answer: (call: Call) => unknown): { clients: AwsClients; calls: Call[] } {
  const calls: Call[] = [];
  const ec2 = new EC2Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const call = { action: command.constructor.name.replace(/Command$/, ''), input: command.input };
    calls.push(call);
    const result = answerOrNoInstances(answer, call);
    if (result instanceof Error) throw result;
    return result ?? {};
  };
  ec2.send = send as unknown as EC2Client['send'];
  return { clients: { region: 'eu-west-1', ec2 } as unknown as AwsClients, calls };
}

/**
 * The script's answer; a DescribeInstances the script does not expect (it throws "unexpected call")
 * finds no instances: these scripted accounts have none, so cleanup's last look before deregistering
 * (applyCleanup) finds nothing, as it would in such an account.
 */
function answerOrNoInstances(answer: (call: Call) => unknown, call: Call): unknown {
  try {
    const result = answer(call);
    if (call.action === 'DescribeInstances' && (result === undefined || isEmpty(result)))
      return { Reservations: [] };
    return result;
  } catch (err) {
    if (
      call.action === 'DescribeInstances' &&
      err instanceof Error &&
      err.message.startsWith('unexpected call')
    ) {
      return { Reservations: [] };
    }
    throw err;
  }
}

function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** An error shaped like the SDK's service exceptions (the code is the name). */
export function awsError(name: string): Error {
  return Object.assign(new Error(`${name} message`), { name });
}

/**
 * A planned deletion of an owned, opted-in, available AMI: `imageSnapshots` is every snapshot behind
 * the AMI, `owned` the ones the plan gave it to delete (all of them unless said).
 */
export function plannedDeletion(
  id: string,
  imageSnapshots: string[],
  owned: string[] = imageSnapshots,
  reason = 'unused since 2026-10-01T00:00:00Z, 53 days > 7 days retention',
): PlannedImageDeletion {
  const image: Image = {
    id,
    region: 'eu-west-1',
    ownerId: '123456789012',
    ownedBySelf: true,
    state: 'available',
    tags: { AutoCleanup: 'true' },
    snapshotIds: imageSnapshots,
    deregistrationProtected: false,
    public: false,
  };
  return { image, snapshotIds: owned, reason };
}
