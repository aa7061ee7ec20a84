/**
 * EC2 capacity and EBS snapshot events: Spot interruption warnings and rebalance recommendations
 * (the instance will go, or may), and failed EBS snapshots (single volume, copy, share, and the
 * multi-volume createSnapshots). Ids come from the event and are checked before they go in a link.
 */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import {
  arr,
  consoleLink,
  detailOf,
  envelope,
  ignore,
  incidentKey,
  notify,
  resourcesOf,
  str,
} from './common';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;
const VOLUME_ID = /^vol-[0-9a-f]{8,17}$/;

/** The last part of an ARN such as arn:aws:ec2::us-west-2:snapshot/snap-0123 (EBS leaves the account out). */
function idOf(arnOrId: string | undefined): string {
  return arnOrId === undefined ? '' : (arnOrId.split('/').pop() ?? arnOrId);
}

function instanceLink(region: string, id: string): string | undefined {
  return INSTANCE_ID.test(id)
    ? consoleLink(region, `/ec2/home?region=${region}#InstanceDetails:instanceId=${id}`)
    : undefined;
}

function ebsLink(region: string, id: string): string | undefined {
  if (SNAPSHOT_ID.test(id))
    return consoleLink(region, `/ec2/home?region=${region}#Snapshots:snapshotId=${id}`);
  if (VOLUME_ID.test(id))
    return consoleLink(region, `/ec2/home?region=${region}#VolumeDetails:volumeId=${id}`);
  return undefined;
}

export function normaliseSpotInterruption(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const env = envelope(event);
  const instance = str(d, 'instance-id') ?? 'unknown instance';
  const action = str(d, 'instance-action') ?? 'unknown action';
  return notify({
    severity: 'warning',
    title: `Spot instance ${instance} will be interrupted (${action}) in two minutes`,
    whatFailed: 'EC2 Spot capacity',
    ...env,
    resource: instance,
    reason: `EC2 is reclaiming the Spot capacity of ${instance}; the instance will ${action === 'stop' ? 'stop' : action === 'hibernate' ? 'hibernate' : 'be terminated'} about two minutes after ${env.occurredAt || 'this warning'}.`,
    consoleUrl: instanceLink(env.region, instance),
    incidentKey: incidentKey(env.account, env.region, 'spot-interruption', instance),
    facts: [{ name: 'Action', value: action }],
  });
}

export function normaliseRebalanceRecommendation(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const env = envelope(event);
  const instance = str(d, 'instance-id') ?? 'unknown instance';
  return notify({
    severity: 'info',
    title: `Spot instance ${instance} is at elevated risk of interruption`,
    whatFailed: 'EC2 Spot capacity (rebalance recommendation)',
    ...env,
    resource: instance,
    reason:
      'EC2 recommends replacing this Spot instance before it is interrupted; Auto Scaling capacity rebalancing does this when it is on.',
    consoleUrl: instanceLink(env.region, instance),
    incidentKey: incidentKey(env.account, env.region, 'rebalance-recommendation', instance),
    facts: [],
  });
}

const SNAPSHOT_EVENT: Record<string, string> = {
  createSnapshot: 'Snapshot',
  createSnapshots: 'Multi-volume snapshot',
  copySnapshot: 'Snapshot copy',
  shareSnapshot: 'Snapshot share',
};

/** EBS Snapshot Notification: one volume's snapshot, a copy or a share, `result` failed. */
export function normaliseEbsSnapshot(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const result = str(d, 'result') ?? '';
  const kind = str(d, 'event') ?? 'unknown';
  if (result !== 'failed') return ignore(`EBS ${kind} result ${result || '(none)'} is not failed`);
  const env = envelope(event);
  const snapshot = idOf(str(d, 'snapshot_id')) || idOf(resourcesOf(event)[0]) || 'unknown snapshot';
  const source = idOf(str(d, 'source'));
  const label = SNAPSHOT_EVENT[kind] ?? `EBS ${kind}`;
  return notify({
    severity: 'critical',
    title: `${label} failed for ${source || snapshot}`,
    whatFailed: `EBS ${kind}`,
    ...env,
    resource: source || snapshot,
    reason: str(d, 'cause') || `EBS reported ${kind} failed without a cause.`,
    consoleUrl: ebsLink(env.region, source) ?? ebsLink(env.region, snapshot),
    incidentKey: incidentKey(env.account, env.region, 'ebs-snapshot', kind, source || snapshot),
    facts: [
      { name: 'Snapshot', value: snapshot },
      { name: 'Source', value: source },
      { name: 'Started', value: str(d, 'startTime') ?? '' },
      { name: 'Ended', value: str(d, 'endTime') ?? '' },
    ],
  });
}

/** EBS Multi-Volume Snapshots Completion Status: createSnapshots, `result` failed; lists each snapshot. */
export function normaliseEbsMultiVolumeSnapshots(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const result = str(d, 'result') ?? '';
  if (result !== 'failed')
    return ignore(`EBS multi-volume snapshot result ${result || '(none)'} is not failed`);
  const env = envelope(event);
  const snapshots = arr(d, 'snapshots')
    .filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object' && !Array.isArray(s))
    .map((s) => ({
      snapshot: idOf(str(s, 'snapshot_id')),
      source: idOf(str(s, 'source')),
      status: str(s, 'status') ?? 'unknown',
    }));
  const failed = snapshots.filter((s) => s.status !== 'completed');
  const first = failed[0] ?? snapshots[0];
  const resource = first?.source || first?.snapshot || idOf(resourcesOf(event)[0]) || 'unknown volumes';
  return notify({
    severity: 'critical',
    title: `Multi-volume snapshot failed (${failed.length} of ${snapshots.length} snapshots not completed)`,
    whatFailed: 'EBS createSnapshots (multi-volume)',
    ...env,
    resource,
    reason: str(d, 'cause') || 'EBS reported the multi-volume snapshot failed without a cause.',
    consoleUrl: ebsLink(env.region, first?.snapshot ?? '') ?? ebsLink(env.region, first?.source ?? ''),
    incidentKey: incidentKey(
      env.account,
      env.region,
      'ebs-multi-snapshot',
      snapshots.map((s) => s.source).join(',') || resource,
    ),
    facts: snapshots.slice(0, 8).map((s) => ({
      name: s.source || 'volume',
      value: `${s.snapshot || 'no snapshot'}: ${s.status}`,
    })),
  });
}
