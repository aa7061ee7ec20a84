/**
 * EC2's published request-rate limits as sandbox token buckets (per region, per API). Source:
 * "Request throttling for the Amazon EC2 API" (docs.aws.amazon.com/ec2/latest/devguide/
 * ec2-api-throttling.html). The page states the non-mutating figures (100 tokens, refill 20 per
 * second, its DescribeHosts example); mutating actions are 50 tokens refilling at 5 per second, and
 * CreateTags has its own bucket of 100 refilling at 10. Accounts can have raised limits: these are
 * the defaults, i.e. the slow case. Auto Scaling publishes no bucket sizes; it is modelled like EC2's
 * mutating/non-mutating split, which only matters for scale-to-zero.
 */
import type { ThrottleSpec } from '../sandbox/faults';
import type { Sandbox } from '../sandbox/server';

export interface BucketSpec {
  burst: number;
  refillPerSecond: number;
}

export const EC2_BUCKETS = {
  nonMutating: { burst: 100, refillPerSecond: 20 },
  mutating: { burst: 50, refillPerSecond: 5 },
  createTags: { burst: 100, refillPerSecond: 10 },
} as const satisfies Record<string, BucketSpec>;

const EC2_DESCRIBE = [
  'DescribeImages',
  'DescribeInstances',
  'DescribeSnapshots',
  'DescribeLaunchTemplateVersions',
  'DescribeLaunchTemplates',
  'DescribeImageReferences',
];
const EC2_MUTATING = ['DeregisterImage', 'DeleteSnapshot', 'StopInstances', 'StartInstances', 'DeleteTags'];
const AS_DESCRIBE = ['DescribeAutoScalingGroups', 'DescribeLaunchConfigurations', 'DescribeTags'];
const AS_MUTATING = ['UpdateAutoScalingGroup', 'CreateOrUpdateTags', 'DeleteTags'];

export interface ThrottleModelOptions {
  /**
   * Refill rates are multiplied by this: 10 means ten times EC2's rate, so a backlog that takes an
   * hour at AWS's default limits drains in about six minutes here. Bursts keep EC2's size, so a
   * client that sends too much at once is still refused and has to back off.
   */
  speedup?: number;
  /** Milliseconds added to every request (a real endpoint's round trip); default 0. */
  latencyMs?: number;
}

/** The bucket specs the model installs (also printed with the results, so a run says what it assumed). */
export function throttleSpecs(speedup = 1): ThrottleSpec[] {
  const scale = (b: BucketSpec) => ({ burst: b.burst, refillPerSecond: b.refillPerSecond * speedup });
  const perApi = (service: string, action: string, b: BucketSpec): ThrottleSpec => ({
    service,
    action,
    ...scale(b),
  });
  return [
    ...EC2_DESCRIBE.map((a) => perApi('ec2', a, EC2_BUCKETS.nonMutating)),
    ...EC2_MUTATING.map((a) => perApi('ec2', a, EC2_BUCKETS.mutating)),
    perApi('ec2', 'CreateTags', EC2_BUCKETS.createTags),
    ...AS_DESCRIBE.map((a) => perApi('autoscaling', a, EC2_BUCKETS.nonMutating)),
    ...AS_MUTATING.map((a) => perApi('autoscaling', a, EC2_BUCKETS.mutating)),
  ];
}

export function applyThrottleModel(sandbox: Sandbox, options: ThrottleModelOptions = {}): void {
  sandbox.faults.clear();
  for (const spec of throttleSpecs(options.speedup ?? 1)) sandbox.faults.throttle(spec);
  const latency = options.latencyMs ?? 0;
  if (latency > 0) sandbox.faults.setLatency(latency);
}

/** Error codes the sandbox answers when a bucket is empty (the SDK retries exactly these). */
export const THROTTLE_CODES = new Set(['RequestLimitExceeded', 'Throttling']);
