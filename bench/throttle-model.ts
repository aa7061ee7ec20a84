/**
 * EC2's published request-rate limits as sandbox token buckets (per region, per API). Source: AWS's
 * page "Request throttling for the Amazon EC2 API" (docs.aws.amazon.com/AWSEC2/latest/APIReference/
 * throttling.html), tables "Request token bucket sizes and refill rates" and "Resource token bucket
 * sizes and refill rates":
 * - non-mutating actions (Describe*, List*, Search*, Get*): 100 tokens, refill 20 per second;
 * - the same for DescribeInstances, DescribeSnapshots and five others when called WITHOUT
 *   pagination or a filter: 50 tokens, refill 10 (our jobs paginate, so they use the 100/20 bucket);
 * - mutating actions: 50 tokens, refill 5, each API its own bucket ("each API is evaluated
 *   individually");
 * - uncategorized, each its own bucket: CreateTags and DeleteTags 100/10; DeregisterImage,
 *   DeleteSnapshot and ModifyImageAttribute 100/5;
 * - resource buckets, in addition to the request bucket, one token per instance in the request:
 *   RunInstances and StartInstances 1000/2, TerminateInstances and StopInstances 1000/20.
 * Start/Stop/Run/TerminateInstances are in the page's "resource-intensive" category; its figures
 * were not part of what was read here, so their request buckets use the mutating 50/5.
 * Accounts can have raised limits: these are the defaults, i.e. the slow case.
 *
 * Auto Scaling publishes no bucket sizes: it is modelled like EC2's non-mutating/mutating split
 * (100/20 and 50/5 per API), an assumption that only matters for scale-to-zero.
 */
import type { ThrottleSpec } from '../sandbox/faults';
import type { Sandbox } from '../sandbox/server';

export interface BucketSpec {
  burst: number;
  refillPerSecond: number;
}

export const EC2_BUCKETS = {
  nonMutating: { burst: 100, refillPerSecond: 20 },
  unpaginated: { burst: 50, refillPerSecond: 10 },
  mutating: { burst: 50, refillPerSecond: 5 },
  createTags: { burst: 100, refillPerSecond: 10 },
  deleteTags: { burst: 100, refillPerSecond: 10 },
  deregisterImage: { burst: 100, refillPerSecond: 5 },
  deleteSnapshot: { burst: 100, refillPerSecond: 5 },
  modifyImageAttribute: { burst: 100, refillPerSecond: 5 },
} as const satisfies Record<string, BucketSpec>;

/** Per instance in the request, on top of the action's request bucket. */
export const EC2_RESOURCE_BUCKETS = {
  RunInstances: { burst: 1000, refillPerSecond: 2 },
  StartInstances: { burst: 1000, refillPerSecond: 2 },
  TerminateInstances: { burst: 1000, refillPerSecond: 20 },
  StopInstances: { burst: 1000, refillPerSecond: 20 },
} as const satisfies Record<string, BucketSpec>;

/**
 * Every EC2 non-mutating action the jobs (and the naive tagger) call; test/unit/bench/throttle-model
 * checks this against the commands imported from @aws-sdk/client-ec2 under shared/ and bench/.
 */
const EC2_NON_MUTATING = [
  'DescribeImages',
  'DescribeImageAttribute',
  'DescribeImageReferences',
  'DescribeInstances',
  'DescribeSnapshots',
  'DescribeLaunchTemplateVersions',
  'DescribeLaunchTemplates',
  'DescribeFleets',
  'DescribeSpotFleetRequests',
  'DescribeSpotInstanceRequests',
  // The recovery function: which instance types support simplified automatic recovery.
  'DescribeInstanceTypes',
  // The self-heal function: the Elastic IPs and data volumes its groups name.
  'DescribeAddresses',
  'DescribeVolumes',
  // Cleanup with deleteSharedImages=when-unused: AMI usage reports (Describe*: non-mutating).
  'DescribeImageUsageReports',
  'DescribeImageUsageReportEntries',
];
/** AWS's "unfiltered and unpaginated" list: these use a smaller bucket when called without either. */
export const EC2_UNPAGINATED_ACTIONS = [
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
];
/** A call carrying any of these is paginated or filtered (NextToken only ever follows MaxResults). */
const PAGINATION_OR_FILTER = ['MaxResults', 'NextToken', 'Filter'];
const EC2_MUTATING = [
  'StopInstances',
  'StartInstances',
  'RunInstances',
  'TerminateInstances',
  'AssociateAddress',
  'AttachVolume',
  // Cleanup with deleteSharedImages=when-unused; not named on AWS's page, so the mutating default.
  'CreateImageUsageReport',
  // Cleanup's retirement stages (and giving an AMI back); the mutating default, as above.
  'EnableImageDeprecation',
  'DisableImageDeprecation',
  'DisableImage',
  'EnableImage',
];
const EC2_OWN_BUCKET: Record<string, BucketSpec> = {
  CreateTags: EC2_BUCKETS.createTags,
  DeleteTags: EC2_BUCKETS.deleteTags,
  DeregisterImage: EC2_BUCKETS.deregisterImage,
  DeleteSnapshot: EC2_BUCKETS.deleteSnapshot,
  ModifyImageAttribute: EC2_BUCKETS.modifyImageAttribute,
};
const AS_DESCRIBE = [
  'DescribeAutoScalingGroups',
  'DescribeLaunchConfigurations',
  'DescribeTags',
  'DescribeLifecycleHooks',
];
const AS_MUTATING = [
  'UpdateAutoScalingGroup',
  'CreateOrUpdateTags',
  'DeleteTags',
  'PutLifecycleHook',
  'CompleteLifecycleAction',
];

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
  const perApi = (service: string, action: string, b: BucketSpec, extra: Partial<ThrottleSpec> = {}) => ({
    service,
    action,
    ...scale(b),
    ...extra,
  });
  const describe = (action: string): ThrottleSpec[] =>
    EC2_UNPAGINATED_ACTIONS.includes(action)
      ? [
          perApi('ec2', action, EC2_BUCKETS.nonMutating, { ifAnyParam: PAGINATION_OR_FILTER }),
          perApi('ec2', action, EC2_BUCKETS.unpaginated, { unlessParams: PAGINATION_OR_FILTER }),
        ]
      : [perApi('ec2', action, EC2_BUCKETS.nonMutating)];
  return [
    ...EC2_NON_MUTATING.flatMap(describe),
    ...EC2_MUTATING.map((a) => perApi('ec2', a, EC2_BUCKETS.mutating)),
    ...Object.entries(EC2_OWN_BUCKET).map(([a, b]) => perApi('ec2', a, b)),
    // RunInstances is left out: its cost is MaxCount (a value, where the others count InstanceId.N)
    // and no job launches instances.
    ...Object.entries(EC2_RESOURCE_BUCKETS)
      .filter(([a]) => a !== 'RunInstances')
      .map(([a, b]) => perApi('ec2', a, b, { costPer: 'InstanceId' })),
    ...AS_DESCRIBE.map((a) => perApi('autoscaling', a, EC2_BUCKETS.nonMutating)),
    ...AS_MUTATING.map((a) => perApi('autoscaling', a, EC2_BUCKETS.mutating)),
  ];
}

/** One line for the results header: what the run assumed. */
export function describeThrottleModel(): string {
  const b = EC2_BUCKETS;
  const r = EC2_RESOURCE_BUCKETS;
  const f = (x: BucketSpec) => `${x.burst}/${x.refillPerSecond}s`;
  return (
    `EC2 per API (burst/refill): Describe* ${f(b.nonMutating)} (unpaginated ${f(b.unpaginated)}), ` +
    `CreateTags/DeleteTags ${f(b.createTags)}, DeregisterImage/DeleteSnapshot ${f(b.deregisterImage)}, ` +
    `other mutating ${f(b.mutating)}; per instance: Start ${f(r.StartInstances)}, Stop ${f(r.StopInstances)}; ` +
    `Auto Scaling (unpublished) as EC2 ${f(b.nonMutating)} / ${f(b.mutating)}`
  );
}

export function applyThrottleModel(sandbox: Sandbox, options: ThrottleModelOptions = {}): void {
  sandbox.faults.clear();
  for (const spec of throttleSpecs(options.speedup ?? 1)) sandbox.faults.throttle(spec);
  const latency = options.latencyMs ?? 0;
  if (latency > 0) sandbox.faults.setLatency(latency);
}

/** Error codes the sandbox answers when a bucket is empty (the SDK retries exactly these). */
export const THROTTLE_CODES = new Set(['RequestLimitExceeded', 'Throttling']);

/**
 * The per-instance buckets a scale-to-zero run paces its Start/StopInstances batches by
 * (shared/aws/scale/batches.ts), to match the model at this speedup. Without a speedup the sandbox
 * does not throttle: the buckets are unlimited, so the run does not wait.
 */
export function instanceBucketsAt(
  speedup: number | undefined,
): Record<'StartInstances' | 'StopInstances', BucketSpec> {
  const at = (b: BucketSpec): BucketSpec =>
    speedup === undefined
      ? { burst: Number.POSITIVE_INFINITY, refillPerSecond: Number.POSITIVE_INFINITY }
      : { burst: b.burst, refillPerSecond: b.refillPerSecond * speedup };
  return {
    StartInstances: at(EC2_RESOURCE_BUCKETS.StartInstances),
    StopInstances: at(EC2_RESOURCE_BUCKETS.StopInstances),
  };
}
