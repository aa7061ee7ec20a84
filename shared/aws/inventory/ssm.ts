/** SSM parameters that name AMIs: those of data type aws:ec2:image, and those resolve:ssm: ids name. */
import { GetParameterCommand, GetParametersCommand, paginateDescribeParameters } from '@aws-sdk/client-ssm';

import type { ImageParameterRecord, Problem } from '../../domain';
import { errorText } from '../../errors';
import type { AwsClients } from '../clients';
import { mapWithConcurrency } from '../concurrency';

/** DescribeParameters' largest page; GetParameters' most names a call. */
const DESCRIBE_PARAMETERS_PAGE = 50;
const GET_PARAMETERS_MAX = 10;

/**
 * The account's SSM parameters of data type aws:ec2:image and their values: DescribeParameters
 * (filtered on the data type) for the names, then GetParameters ten names a call. A value that could
 * not be read is left undefined, so the usage index reports it unresolved and cleanup refuses.
 */
export async function readImageParameters(
  clients: AwsClients,
  problems: Problem[],
): Promise<ImageParameterRecord[]> {
  const names: string[] = [];
  const pages = paginateDescribeParameters(
    { client: clients.ssm },
    {
      ParameterFilters: [{ Key: 'DataType', Option: 'Equals', Values: ['aws:ec2:image'] }],
      MaxResults: DESCRIBE_PARAMETERS_PAGE,
    },
  );
  for await (const page of pages) {
    for (const p of page.Parameters ?? []) if (p.Name) names.push(p.Name);
  }
  const values = new Map<string, string>();
  // Deleted between DescribeParameters and GetParameters (InvalidParameters): gone, so they name no
  // AMI any more. Only these are dropped; a name missing from both lists stays unknown.
  const gone = new Set<string>();
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += GET_PARAMETERS_MAX)
    batches.push(names.slice(i, i + GET_PARAMETERS_MAX));
  await mapWithConcurrency(batches, 4, async (batch) => {
    try {
      const res = await clients.ssm.send(new GetParametersCommand({ Names: batch }));
      for (const p of res.Parameters ?? []) if (p.Name && p.Value !== undefined) values.set(p.Name, p.Value);
      for (const name of res.InvalidParameters ?? []) if (!values.has(name)) gone.add(name);
    } catch (err) {
      problems.push({
        resourceId: batch.join(','),
        message: `could not read SSM parameters of data type aws:ec2:image: ${errorText(err)}`,
      });
    }
  });
  return names.flatMap((name) => {
    const value = values.get(name);
    if (value !== undefined) return [{ name, value }];
    return gone.has(name) ? [] : [{ name }];
  });
}

/**
 * Launch templates often name their AMI as resolve:ssm:NAME. One GetParameter per distinct name
 * (accounts have few; NAME may carry a :version or :label selector, which GetParameter accepts).
 * A parameter that cannot be read is reported and left out, so its users stay unresolved and
 * cleanup refuses rather than guesses.
 */
export async function readSsmParameters(
  clients: AwsClients,
  names: string[],
  problems: Problem[],
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  await mapWithConcurrency(names, 4, async (name) => {
    try {
      const res = await clients.ssm.send(new GetParameterCommand({ Name: name }));
      if (res.Parameter?.Value !== undefined) values.set(name, res.Parameter.Value);
    } catch (err) {
      problems.push({
        resourceId: name,
        message: `could not read SSM parameter ${name}, which a launch template, fleet or Spot request names as its image: ${errorText(err)}`,
      });
    }
  });
  return values;
}
