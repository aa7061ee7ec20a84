/**
 * The self-heal story for the demo (`npm start`): the real self-heal handler, signed as its own
 * role, on the sandbox account. A single instance (a group of one) opts in; the scheduled run puts
 * the launch hook on its group and its Elastic IP and data volume on it. Its host fails, the group
 * replaces it, and the new instance comes back with the same address and volume once the old one
 * has let go; a duplicate of the launch event writes nothing. Time is a virtual clock.
 */
import {
  AllocateAddressCommand,
  CreateVolumeCommand,
  EC2Client,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';

import { makeSelfHealHandler } from '../functions/self-heal/handler';
import {
  completedLifecycleActions,
  lifecycleHooks,
  replaceGroupInstance,
} from '../sandbox/services/autoscaling/lifecycle-hooks';
import { getAddress } from '../sandbox/services/ec2/addresses';
import { getVolume } from '../sandbox/services/ec2/volumes';
import type { Sandbox } from '../sandbox/server';
import type { RunSummaryDetail } from '../shared/events';

export interface SelfHealStoryResult {
  summaries: RunSummaryDetail[];
  checks: { what: string; ok: boolean }[];
}

const context = (): Context =>
  ({ functionName: 'self-heal', getRemainingTimeInMillis: () => 5 * 60_000 }) as unknown as Context;

const tagged = (type: 'elastic-ip' | 'volume', name: string): TagSpecification[] => [
  {
    ResourceType: type,
    Tags: [
      { Key: 'Name', Value: name },
      { Key: 'SelfHeal', Value: 'true' },
    ],
  },
];

export async function runSelfHealStory(
  sandbox: Sandbox,
  options: { region?: string; print?: (line: string) => void } = {},
): Promise<SelfHealStoryResult> {
  const regionName = options.region ?? 'eu-west-1';
  const log = console.log.bind(console);
  const print = options.print ?? ((line: string) => log(line));
  const hookName = 'ec2-hygiene-local-self-heal';
  const env = { ...sandbox.env(regionName, 'self-heal'), REGIONS: regionName, SELF_HEAL_HOOK_NAME: hookName };
  let now = Date.parse('2026-12-01T09:00:00Z');
  let slept = 0;
  let whileWaiting = (_slept: number): void => undefined;
  const saved = { ...process.env };
  Object.assign(process.env, sandbox.env(regionName, 'self-heal'));
  const handler = makeSelfHealHandler({
    env,
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
      slept += ms;
      whileWaiting(slept);
    },
  });
  const region = sandbox.state.region(regionName);
  const summaries: RunSummaryDetail[] = [];
  const checks: SelfHealStoryResult['checks'] = [];
  const check = (what: string, ok: boolean) => {
    checks.push({ what, ok });
    print(`  ${ok ? 'ok' : 'NOT OK'}: ${what}`);
  };
  const run = async (label: string, event: unknown) => {
    const originalLog = console.log;
    console.log = () => undefined; // the JSON decision lines; the story narrates instead
    try {
      const out = await handler(event, context());
      summaries.push(...out.summaries);
      const s = out.summaries[0]!;
      print(
        `${label}: ${s.counts.hooksWritten ?? 0} hook written, ${s.counts.addressesAssociated ?? 0} address associated, ` +
          `${s.counts.volumesAttached ?? 0} volume attached, ${s.counts.lifecycleContinued ?? 0} launch continued, ` +
          `${s.counts.lifecycleAlreadyCompleted ?? 0} already completed, ${s.failures.length} failures`,
      );
      return s;
    } finally {
      console.log = originalLog;
    }
  };

  const admin = new EC2Client({
    region: regionName,
    endpoint: sandbox.url,
    credentials: sandbox.credentials('admin'),
  });
  try {
    const eip = await admin.send(
      new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: tagged('elastic-ip', 'demo-ftp') }),
    );
    const vol = await admin.send(
      new CreateVolumeCommand({
        AvailabilityZone: `${regionName}a`,
        Size: 100,
        TagSpecifications: tagged('volume', 'demo-ftp-data'),
      }),
    );
    const image = region.addImage({ name: 'demo-ftp-base' });
    const template = region.addLaunchTemplate({ name: 'demo-ftp', versions: [{ imageId: image.id }] });
    const group = region.addAutoScalingGroup({
      name: 'demo-ftp',
      launchTemplate: { launchTemplateId: template.id },
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      tags: { SelfHeal: 'true', SelfHealElasticIp: eip.AllocationId!, SelfHealVolume: vol.VolumeId! },
      propagateAtLaunch: ['SelfHeal'],
    });
    const first = group.instanceIds[0]!;
    print(
      `A single FTP box: group demo-ftp of one (${first}), Elastic IP ${eip.PublicIp} (${eip.AllocationId}), ` +
        `data volume ${vol.VolumeId} in ${regionName}a, all tagged SelfHeal=true.`,
    );

    await run('Scheduled run', { source: 'aws.events', 'detail-type': 'Scheduled Event' });
    check(`the group has the launch hook ${hookName}`, lifecycleHooks(region, 'demo-ftp').length === 1);
    check(
      `${first} came up before opting in and was reconciled: it has the address and the volume`,
      getAddress(region, eip.AllocationId!)?.instanceId === first &&
        getVolume(region, vol.VolumeId!)?.attachment?.instanceId === first,
    );

    print(
      `\nThe host under ${first} fails; the group replaces the instance. The old one takes 10 s to shut down.`,
    );
    const replacement = replaceGroupInstance(sandbox.state, regionName, 'demo-ftp', {
      oldState: 'shutting-down',
      time: new Date(now).toISOString(),
    });
    const event = replacement.events[0]!;
    const fresh = event.detail.EC2InstanceId;
    print(
      `${fresh} launches and waits in Pending:Wait; Auto Scaling sends "EC2 Instance-launch Lifecycle Action".`,
    );
    whileWaiting = (total) => {
      if (total >= 10_000) region.getInstance(first)!.state = 'terminated';
    };
    await run('Launch event', event);
    const address = getAddress(region, eip.AllocationId!);
    check(`${fresh} has the same Elastic IP ${eip.PublicIp}`, address?.instanceId === fresh);
    check(
      `${fresh} has the same data volume at /dev/xvdf, attached after waiting ${slept / 1000} s for ${first} to let go`,
      getVolume(region, vol.VolumeId!)?.attachment?.instanceId === fresh &&
        getVolume(region, vol.VolumeId!)?.attachment?.device === '/dev/xvdf',
    );
    const completed = completedLifecycleActions(region).filter((c) => c.instanceId === fresh);
    check(
      `its launch was completed with CONTINUE`,
      completed.length === 1 && completed[0]!.result === 'CONTINUE',
    );

    sandbox.requests.reset();
    await run('The same event again (EventBridge delivers at least once)', event);
    check(
      'the duplicate wrote nothing and found the action already completed',
      sandbox.requests.count('ec2', 'AssociateAddress') + sandbox.requests.count('ec2', 'AttachVolume') ===
        0 && summaries.at(-1)!.counts.lifecycleAlreadyCompleted === 1,
    );
  } finally {
    admin.destroy();
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_ENDPOINT_URL']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
  return { summaries, checks };
}
