/**
 * The named schedules of a run: SCALE_SCHEDULES merged with the SSM parameter
 * SCALE_SCHEDULES_PARAMETER names, read once per run (one GetParameter, in the parameter's region),
 * so a changed parameter changes the next run without a deploy. Merge rules: shared/schedule/parameter.ts.
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';

import type { AwsClients } from '../aws/clients';
import { errorText } from '../errors';
import type { RunFailure } from '../events';
import { mergeNamedSchedules, type ParameterRead, type ScaleSettings } from '../schedule';

export interface RunSchedules {
  settings: ScaleSettings;
  /** Reported in every region's summary: the parameter unread, names in conflict. */
  failures: RunFailure[];
}

export async function readRunSchedules(
  settings: ScaleSettings,
  clientsFor: (region: string) => AwsClients,
): Promise<RunSchedules> {
  const parameter = settings.schedulesParameter;
  if (!parameter) return { settings, failures: [] };
  const read = await readParameter(clientsFor(parameter.region), parameter.name);
  const merged = mergeNamedSchedules(settings.namedSchedules, read);
  const { problems, ...schedules } = merged;
  return {
    settings: { ...settings, ...schedules },
    failures: problems.map((message) => ({
      resourceId: parameter.name,
      action: 'error' in read ? 'GetParameter' : 'SCALE_SCHEDULES_PARAMETER',
      message,
    })),
  };
}

async function readParameter(clients: AwsClients, name: string): Promise<ParameterRead> {
  try {
    const out = await clients.ssm.send(new GetParameterCommand({ Name: name }));
    const value = out.Parameter?.Value;
    if (value === undefined) return { name, error: 'GetParameter returned no value' };
    if (out.Parameter?.Type === 'SecureString') {
      return { name, error: 'it is a SecureString; store the schedules as a String parameter' };
    }
    return { name, value };
  } catch (err) {
    return { name, error: `GetParameter failed (${errorText(err)})` };
  }
}
