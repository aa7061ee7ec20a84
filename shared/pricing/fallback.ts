/**
 * Bundled on-demand prices, used only when the Price List API cannot answer (no permission, an
 * endpoint out of reach, a throttled call): Linux, shared tenancy, no pre-installed software, in
 * USD per hour. Approximate public on-demand list prices, transcribed by hand and only spot-checked
 * (a few us-east-1 types), never against the live API: the Price List's answer always wins, and a
 * figure from here is labelled as the table's. A type or region missing here stays unpriced.
 */

type RegionPrices = Readonly<Record<string, number>>;

/** Sizes nano..4xlarge where the family has them. */
const US_EAST_1: RegionPrices = {
  't3.nano': 0.0052,
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  't3.2xlarge': 0.3328,
  't3a.nano': 0.0047,
  't3a.micro': 0.0094,
  't3a.small': 0.0188,
  't3a.medium': 0.0376,
  't3a.large': 0.0752,
  't3a.xlarge': 0.1504,
  't3a.2xlarge': 0.3008,
  't4g.nano': 0.0042,
  't4g.micro': 0.0084,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  't4g.large': 0.0672,
  't4g.xlarge': 0.1344,
  't4g.2xlarge': 0.2688,
  'm5.large': 0.096,
  'm5.xlarge': 0.192,
  'm5.2xlarge': 0.384,
  'm5.4xlarge': 0.768,
  'm6i.large': 0.096,
  'm6i.xlarge': 0.192,
  'm6i.2xlarge': 0.384,
  'm6i.4xlarge': 0.768,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'm7g.2xlarge': 0.3264,
  'm7g.4xlarge': 0.6528,
  'c5.large': 0.085,
  'c5.xlarge': 0.17,
  'c5.2xlarge': 0.34,
  'c5.4xlarge': 0.68,
  'c6i.large': 0.085,
  'c6i.xlarge': 0.17,
  'c6i.2xlarge': 0.34,
  'c6i.4xlarge': 0.68,
  'r5.large': 0.126,
  'r5.xlarge': 0.252,
  'r5.2xlarge': 0.504,
  'r5.4xlarge': 1.008,
  'r6i.large': 0.126,
  'r6i.xlarge': 0.252,
  'r6i.2xlarge': 0.504,
  'r6i.4xlarge': 1.008,
};

const EU_WEST_1: RegionPrices = {
  't3.nano': 0.0057,
  't3.micro': 0.0114,
  't3.small': 0.0228,
  't3.medium': 0.0456,
  't3.large': 0.0912,
  't3.xlarge': 0.1824,
  't3.2xlarge': 0.3648,
  't3a.nano': 0.0051,
  't3a.micro': 0.0102,
  't3a.small': 0.0204,
  't3a.medium': 0.0408,
  't3a.large': 0.0816,
  't3a.xlarge': 0.1632,
  't3a.2xlarge': 0.3264,
  't4g.nano': 0.0046,
  't4g.micro': 0.0092,
  't4g.small': 0.0184,
  't4g.medium': 0.0368,
  't4g.large': 0.0736,
  't4g.xlarge': 0.1472,
  't4g.2xlarge': 0.2944,
  'm5.large': 0.107,
  'm5.xlarge': 0.214,
  'm5.2xlarge': 0.428,
  'm5.4xlarge': 0.856,
  'm6i.large': 0.107,
  'm6i.xlarge': 0.214,
  'm6i.2xlarge': 0.428,
  'm6i.4xlarge': 0.856,
  'c5.large': 0.096,
  'c5.xlarge': 0.192,
  'c5.2xlarge': 0.384,
  'c5.4xlarge': 0.768,
  'c6i.large': 0.096,
  'c6i.xlarge': 0.192,
  'c6i.2xlarge': 0.384,
  'c6i.4xlarge': 0.768,
  'r5.large': 0.141,
  'r5.xlarge': 0.282,
  'r5.2xlarge': 0.564,
  'r5.4xlarge': 1.128,
  'r6i.large': 0.141,
  'r6i.xlarge': 0.282,
  'r6i.2xlarge': 0.564,
  'r6i.4xlarge': 1.128,
};

const EU_CENTRAL_1: RegionPrices = {
  't3.nano': 0.006,
  't3.micro': 0.012,
  't3.small': 0.024,
  't3.medium': 0.048,
  't3.large': 0.096,
  't3.xlarge': 0.192,
  't3.2xlarge': 0.384,
  't3a.nano': 0.0054,
  't3a.micro': 0.0108,
  't3a.small': 0.0216,
  't3a.medium': 0.0432,
  't3a.large': 0.0864,
  't3a.xlarge': 0.1728,
  't3a.2xlarge': 0.3456,
  'm5.large': 0.115,
  'm5.xlarge': 0.23,
  'm5.2xlarge': 0.46,
  'm5.4xlarge': 0.92,
  'm6i.large': 0.115,
  'm6i.xlarge': 0.23,
  'm6i.2xlarge': 0.46,
  'm6i.4xlarge': 0.92,
  'c5.large': 0.097,
  'c5.xlarge': 0.194,
  'c5.2xlarge': 0.388,
  'c5.4xlarge': 0.776,
  'c6i.large': 0.097,
  'c6i.xlarge': 0.194,
  'c6i.2xlarge': 0.388,
  'c6i.4xlarge': 0.776,
  'r5.large': 0.152,
  'r5.xlarge': 0.304,
  'r5.2xlarge': 0.608,
  'r5.4xlarge': 1.216,
  'r6i.large': 0.152,
  'r6i.xlarge': 0.304,
  'r6i.2xlarge': 0.608,
  'r6i.4xlarge': 1.216,
};

export const FALLBACK_HOURLY_USD: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': US_EAST_1,
  'eu-west-1': EU_WEST_1,
  'eu-central-1': EU_CENTRAL_1,
};

/** The bundled price of an hour of `instanceType` in `region`, or undefined when the table has none. */
export function fallbackHourlyPrice(instanceType: string, region: string): number | undefined {
  return FALLBACK_HOURLY_USD[region]?.[instanceType];
}

/**
 * A public IPv4 address, an Elastic IP included, associated or not: USD per address-hour. AWS
 * charges this since 1 February 2024 (https://aws.amazon.com/vpc/pricing/, "Public IPv4 Address";
 * announced in https://aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights/).
 * The same figure in most commercial regions; a region priced differently is not known here, so
 * every figure built on it is labelled an estimate.
 */
export const PUBLIC_IPV4_USD_PER_HOUR = 0.005;
export const PUBLIC_IPV4_PRICE_SOURCE =
  'AWS public IPv4 address charge since 2024-02-01, $0.005 per address-hour in most regions (https://aws.amazon.com/vpc/pricing/)';
