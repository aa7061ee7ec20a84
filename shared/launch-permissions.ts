/**
 * Who else may launch an AMI. An AMI that is public, or whose launch permissions name other
 * accounts, organizations or OUs, may be running in accounts this one cannot see: its usage there
 * is invisible to the tagger, so cleanup keeps it unless told otherwise. Pure: the adapter
 * (shared/aws/launch-permissions.ts) reads EC2's launchPermission attribute into these records.
 */

/** One entry of an AMI's launchPermission attribute; EC2 sets exactly one field per entry. */
export interface LaunchPermission {
  /** `all`: the AMI is public. */
  group?: string;
  userId?: string;
  organizationArn?: string;
  organizationalUnitArn?: string;
}

/** What one run learned about an AMI's launch permissions: the list, or why it could not be read. */
export type LaunchPermissionsRead =
  { kind: 'read'; permissions: LaunchPermission[] } | { kind: 'failed'; message: string };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Names, or a count when there are many: ARNs are long and a log line should stay readable. */
function named(values: string[], one: string, many: string): string {
  return values.length <= 2
    ? values.map((v) => `${one} ${v}`).join(' and ')
    : plural(values.length, one, many);
}

/**
 * "shared with 2 other accounts", "public (every AWS account may launch it)", ... ; undefined when
 * the list names nobody. An entry of a kind this code does not know still counts as a share: an
 * unknown audience is never taken for none.
 */
export function describeSharing(permissions: readonly LaunchPermission[]): string | undefined {
  if (permissions.length === 0) return undefined;
  if (permissions.some((p) => p.group !== undefined)) return 'public (every AWS account may launch it)';
  const accounts = new Set(permissions.flatMap((p) => (p.userId ? [p.userId] : [])));
  const orgs = [...new Set(permissions.flatMap((p) => (p.organizationArn ? [p.organizationArn] : [])))];
  const units = [
    ...new Set(permissions.flatMap((p) => (p.organizationalUnitArn ? [p.organizationalUnitArn] : []))),
  ];
  const unknown = permissions.filter(
    (p) => !p.userId && !p.organizationArn && !p.organizationalUnitArn,
  ).length;
  const parts = [
    ...(accounts.size > 0 ? [plural(accounts.size, 'other account', 'other accounts')] : []),
    ...(orgs.length > 0 ? [named(orgs, 'organization', 'organizations')] : []),
    ...(units.length > 0 ? [named(units, 'organizational unit', 'organizational units')] : []),
    ...(unknown > 0
      ? [plural(unknown, 'launch permission of an unknown kind', 'launch permissions of an unknown kind')]
      : []),
  ];
  return `shared with ${parts.join(', ')}`;
}
