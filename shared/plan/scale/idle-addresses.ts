/**
 * Idle costs while asleep: an Elastic IP is billed by the hour whether or not anything runs behind
 * it. The report lists the addresses of what scale-to-zero has put to sleep (an instance it stopped,
 * an instance of a group it scaled to 0) and the region's unassociated addresses, each with its
 * hourly price. Pure: the addresses, the sleeping instances and the price are passed in. Nothing
 * here, or anywhere in scale-to-zero, releases an address: a released Elastic IP cannot be had back.
 */
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../domain';
import type { IdleAddress, IdleAddressesSummary } from '../../events';
import { formatTimestamp, TAG } from '../../tags';
import { parseTransitionRecord } from './records';
import type { ScaleAction, ScaleDecision } from './types';

export interface ElasticIp {
  publicIp: string;
  /** Associated with anything at all (an instance, a network interface, a NAT gateway). */
  associated: boolean;
  allocationId?: string;
  instanceId?: string;
}

export interface SleepingInput {
  instances: readonly ScalableInstanceRecord[];
  groups: readonly AutoScalingGroupRecord[];
  decisions: readonly ScaleDecision[];
  /** Whether an action took effect (or, in a dry run, would). */
  counted: (a: ScaleAction) => boolean;
}

/** Instance id -> why it sleeps, for every instance scale-to-zero has turned off and not back on. */
export function sleepingInstances(input: SleepingInput): Map<string, string> {
  const sleeping = new Map<string, string>();
  const acted = new Map<string, ScaleAction>();
  for (const d of input.decisions) if (d.action && input.counted(d.action)) acted.set(d.resourceId, d.action);
  for (const i of input.instances) {
    const action = acted.get(i.id);
    if (action?.kind === 'stop-instance') {
      sleeping.set(i.id, `${action.hibernate ? 'hibernated' : 'stopped'} by scale-to-zero in this run`);
      continue;
    }
    if (action?.kind === 'start-instance' || i.state !== 'stopped') continue;
    const record = parseTransitionRecord(i.tags[TAG.scaleToZeroLastTransition] ?? '');
    if (record?.deed.kind === 'stopped') {
      sleeping.set(i.id, `stopped by scale-to-zero at ${formatTimestamp(record.deed.stoppedAt)}`);
    }
  }
  for (const g of input.groups) {
    const action = acted.get(g.name);
    const record = parseTransitionRecord(g.tags[TAG.scaleToZeroLastTransition] ?? '');
    const asleep =
      action?.kind === 'scale-group-to-zero' ||
      (action?.kind !== 'restore-group' && g.desiredCapacity === 0 && record?.deed.kind === 'scaled-to-zero');
    if (!asleep) continue;
    for (const id of g.instanceIds) {
      sleeping.set(id, `instance of Auto Scaling group ${g.name}, scaled to 0 by scale-to-zero`);
    }
  }
  return sleeping;
}

export const IDLE_ADDRESSES_BASIS =
  'estimate: each listed Elastic IP at the public IPv4 list price per address-hour; reported only, never released by scale-to-zero (release an address by hand if nobody needs it: a released address cannot be had back)';

/** The idle addresses among `addresses`: those of sleeping instances, then unassociated ones. */
export function idleAddresses(
  addresses: readonly ElasticIp[],
  sleeping: ReadonlyMap<string, string>,
  usdPerHour: number,
  basis = IDLE_ADDRESSES_BASIS,
): IdleAddressesSummary {
  const listed: IdleAddress[] = [];
  for (const a of addresses) {
    const why = !a.associated
      ? 'unassociated'
      : a.instanceId === undefined
        ? undefined
        : sleeping.get(a.instanceId);
    if (why === undefined) continue;
    const entry: IdleAddress = {
      publicIp: a.publicIp,
      reason: a.associated ? `associated with ${a.instanceId}, ${why}` : why,
      usdPerHour,
    };
    if (a.allocationId !== undefined) entry.allocationId = a.allocationId;
    if (a.associated && a.instanceId !== undefined) entry.instanceId = a.instanceId;
    listed.push(entry);
  }
  // Addresses of sleeping resources first: those are the ones this function's schedule made idle.
  listed.sort((x, y) => Number(x.instanceId === undefined) - Number(y.instanceId === undefined));
  return {
    estimate: true,
    currency: 'USD',
    basis,
    addresses: listed,
    usdPerHour: Math.round(listed.length * usdPerHour * 1e6) / 1e6,
  };
}
