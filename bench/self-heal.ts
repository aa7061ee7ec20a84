/**
 * The self-heal scenario (issue 15): N groups of one tagged SelfHeal=true, each naming its own
 * Elastic IP and data volume (both tagged SelfHeal=true, the volume available in the instance's
 * zone). A first scheduled run puts the launch hook on every group and reconciles every instance
 * (associate, attach); a second writes nothing. Each run is the real job in a child, signed as the
 * self-heal role, and is judged against selfHealLowerBound.
 */
import { lifecycleHooks } from '../sandbox/services/autoscaling/lifecycle-hooks';
import { allocateAddress, getAddress } from '../sandbox/services/ec2/addresses';
import { addVolume, getVolume } from '../sandbox/services/ec2/volumes';
import { REGION } from './account';
import { selfHealLowerBound, type SelfHealShape } from './bounds';
import { runInChild } from './child';
import { BENCH_NOW, row, withSandbox, type JobRow, type ModelOptions } from './scenarios';
import { applyThrottleModel } from './throttle-model';

/** The fleet's hook name (`<service>-<stage>-self-heal`) for the sandbox's `local` stage. */
export const SELF_HEAL_HOOK = 'ec2-hygiene-local-self-heal';
/** The self-heal function's default memory size (functions/self-heal/function.yml). */
export const SELF_HEAL_MEMORY_MB = 256;

export interface SelfHealOutcome {
  /** One row per run: first, steady (idempotent). */
  rows: JobRow[];
  groups: number;
  /** What each run's summary says it wrote. */
  hooksWritten: number[];
  associated: number[];
  attached: number[];
  /** Groups whose hook, Elastic IP and volume are all in place after each run (read from the account). */
  healedAfter: number[];
}

export async function selfHealScenario(groups: number, model: ModelOptions): Promise<SelfHealOutcome> {
  return withSandbox(async (sandbox) => {
    const region = sandbox.state.region(REGION);
    const image = region.addImage({ name: 'self-heal-base', snapshotIds: [] }).id;
    const template = region.addLaunchTemplate({ name: 'self-heal-lt', versions: [{ imageId: image }] });
    const seeded = Array.from({ length: groups }, (_, i) => {
      const address = allocateAddress(region, { tags: { SelfHeal: 'true' } }, (p) =>
        sandbox.state.ids.next(p),
      );
      const volume = addVolume(region, { tags: { SelfHeal: 'true' } }, () => sandbox.state.ids.next('vol'));
      const group = region.addAutoScalingGroup({
        name: `single-${i}`,
        launchTemplate: { launchTemplateId: template.id },
        minSize: 1,
        maxSize: 1,
        desiredCapacity: 1,
        tags: { SelfHeal: 'true', SelfHealElasticIp: address.allocationId, SelfHealVolume: volume.id },
        propagateAtLaunch: ['SelfHeal'],
      });
      return {
        group: group.name,
        instanceId: group.instanceIds[0]!,
        address: address.allocationId,
        volume: volume.id,
      };
    });
    applyThrottleModel(sandbox, { latencyMs: model.latencyMs });
    const env = {
      ...sandbox.env(REGION, 'self-heal'),
      REGIONS: REGION,
      SELF_HEAL_HOOK_NAME: SELF_HEAL_HOOK,
    };
    const healed = () =>
      seeded.filter(
        (s) =>
          lifecycleHooks(region, s.group).some((h) => h.name === SELF_HEAL_HOOK) &&
          getAddress(region, s.address)?.instanceId === s.instanceId &&
          getVolume(region, s.volume)?.attachment?.instanceId === s.instanceId,
      ).length;
    const outcome: SelfHealOutcome = {
      rows: [],
      groups,
      hooksWritten: [],
      associated: [],
      attached: [],
      healedAfter: [],
    };
    const reads = { groups, optedInGroups: groups, addresses: groups, volumes: groups };
    const phases: { label: string; shape: SelfHealShape }[] = [
      {
        label: `${groups} first run`,
        shape: { ...reads, hooksToWrite: groups, addressesToAssociate: groups, volumesToAttach: groups },
      },
      {
        label: `${groups} steady`,
        shape: { ...reads, hooksToWrite: 0, addressesToAssociate: 0, volumesToAttach: 0 },
      },
    ];
    for (const phase of phases) {
      sandbox.requests.reset();
      const child = await runInChild({ kind: 'self-heal', now: BENCH_NOW }, env, {
        memoryMb: SELF_HEAL_MEMORY_MB,
      });
      const counts = child.runs[0]?.summary.counts ?? {};
      outcome.hooksWritten.push(counts.hooksWritten ?? 0);
      outcome.associated.push(counts.addressesAssociated ?? 0);
      outcome.attached.push(counts.volumesAttached ?? 0);
      outcome.healedAfter.push(healed());
      outcome.rows.push(
        row('self-heal', phase.label, sandbox, child, selfHealLowerBound(phase.shape), model),
      );
    }
    return outcome;
  });
}
