/**
 * Scale-to-zero's idle-cost report: one DescribeAddresses per run and region, after the apply, so
 * what this run stopped counts as asleep. Reporting only: a failed read is a failure line in the
 * summary and changes nothing else; no address is ever released.
 */
import { readElasticIps } from '../aws/scale';
import type { AwsClients } from '../aws/clients';
import { errorText } from '../errors';
import type { RunSummaryDetail } from '../events';
import { IDLE_ADDRESSES_BASIS, idleAddresses, sleepingInstances, type SleepingInput } from '../plan/scale';
import { PUBLIC_IPV4_PRICE_SOURCE, PUBLIC_IPV4_USD_PER_HOUR } from '../pricing';

export const IDLE_BASIS = `${IDLE_ADDRESSES_BASIS}; price: ${PUBLIC_IPV4_PRICE_SOURCE}`;

export async function reportIdleAddresses(
  clients: AwsClients,
  input: SleepingInput,
  summary: RunSummaryDetail,
): Promise<void> {
  let addresses;
  try {
    addresses = await readElasticIps(clients);
  } catch (err) {
    summary.failures.push({
      resourceId: clients.region,
      action: 'DescribeAddresses',
      message: `could not list the region's Elastic IPs for the idle-cost report (${errorText(err)}); scaling is not affected, the next run tries again`,
    });
    return;
  }
  const report = idleAddresses(addresses, sleepingInstances(input), PUBLIC_IPV4_USD_PER_HOUR, IDLE_BASIS);
  summary.idleAddresses = report;
  summary.counts.idleElasticIps = report.addresses.length;
  summary.counts.idleElasticIpUsdPerHour = report.usdPerHour;
}
