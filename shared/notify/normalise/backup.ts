/** AWS Backup backup, copy and restore jobs. Backup and copy jobs say `state`, restore jobs `status`. */
import type { EventBridgeEvent, NormaliseResult, Severity } from '../types';
import { consoleLink, detailOf, envelope, ignore, incidentKey, notify, str, resourcesOf } from './common';

const JOB_FAILED: Record<string, { verb: string; severity: Severity }> = {
  FAILED: { verb: 'failed', severity: 'critical' },
  ABORTED: { verb: 'was aborted', severity: 'critical' },
  EXPIRED: { verb: 'expired before it could start', severity: 'warning' },
};

type JobKind = 'backup' | 'copy' | 'restore';

const JOB: Record<JobKind, { label: string; idField: string; statusField: string; statuses: string[] }> = {
  backup: {
    label: 'Backup job',
    idField: 'backupJobId',
    statusField: 'state',
    statuses: ['FAILED', 'ABORTED', 'EXPIRED'],
  },
  copy: {
    label: 'Backup copy job',
    idField: 'copyJobId',
    statusField: 'state',
    statuses: ['FAILED', 'ABORTED', 'EXPIRED'],
  },
  restore: {
    label: 'Restore job',
    idField: 'restoreJobId',
    statusField: 'status',
    statuses: ['FAILED', 'ABORTED'],
  },
};

function normaliseJob(kind: JobKind, event: EventBridgeEvent): NormaliseResult {
  const spec = JOB[kind];
  const d = detailOf(event);
  const status = str(d, spec.statusField) ?? '';
  const failure = JOB_FAILED[status];
  if (failure === undefined || !spec.statuses.includes(status)) {
    return ignore(`${spec.label.toLowerCase()} ${spec.statusField} ${status || '(none)'} is not a failure`);
  }
  const env = envelope(event);
  const jobId = str(d, spec.idField) ?? 'unknown job';
  const resource =
    str(d, 'resourceArn') ??
    str(d, 'createdResourceArn') ??
    resourcesOf(event)[0] ??
    str(d, 'recoveryPointArn') ??
    jobId;
  const vault =
    str(d, 'backupVaultName') ?? str(d, 'destinationBackupVaultArn') ?? str(d, 'sourceBackupVaultArn') ?? '';
  return notify({
    severity: failure.severity,
    // An ARN is long for a title; its last part (i-0abc, vol-0abc, a table name) is what people recognise.
    title: `${spec.label} ${failure.verb} for ${resource.split(/[/:]/).pop() || resource}`,
    whatFailed: `AWS Backup ${kind} job`,
    ...env,
    resource,
    reason: str(d, 'statusMessage') ?? `The job ended in ${status} without a status message.`,
    consoleUrl: consoleLink(
      env.region,
      `/backup/home?region=${env.region}#/jobs/${kind}/details/${encodeURIComponent(jobId)}`,
    ),
    incidentKey: incidentKey(env.account, env.region, `backup-${kind}`, resource, status),
    facts: [
      { name: 'Job', value: jobId },
      { name: 'Resource type', value: str(d, 'resourceType') ?? '' },
      { name: 'Vault', value: vault },
      { name: 'Recovery point', value: kind === 'backup' ? '' : (str(d, 'recoveryPointArn') ?? '') },
    ],
  });
}

export const normaliseBackupJob = (e: EventBridgeEvent): NormaliseResult => normaliseJob('backup', e);
export const normaliseCopyJob = (e: EventBridgeEvent): NormaliseResult => normaliseJob('copy', e);
export const normaliseRestoreJob = (e: EventBridgeEvent): NormaliseResult => normaliseJob('restore', e);
