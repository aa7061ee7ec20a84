/** Pieces every EC2 action shares: tag sets, not-found errors in AWS's words, list parameters. */
import { SandboxError } from '../../protocol/errors';
import { indexedList, parseFilters, type FormParams, type RequestFilter } from '../../protocol/form';
import { items, type XmlList, type XmlObject } from '../../protocol/xml';
import type { Tags } from '../../state/records';

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** EC2 leaves tagSet out entirely when a resource has no tags. */
export function tagSet(tags: Tags): XmlList | undefined {
  const entries = Object.entries(tags);
  return entries.length === 0 ? undefined : items(entries.map(([key, value]): XmlObject => ({ key, value })));
}

export function ec2Filters(params: FormParams): RequestFilter[] {
  return parseFilters(params, 'Filter', 'Value');
}

const NOT_FOUND: Array<{
  prefix: string;
  code: string;
  malformed: string;
  pattern: RegExp;
  say: (ids: string[]) => string;
}> = [
  {
    prefix: 'ami-',
    code: 'InvalidAMIID.NotFound',
    malformed: 'InvalidAMIID.Malformed',
    pattern: /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/,
    say: (ids) => `The image id '[${ids.join(', ')}]' does not exist`,
  },
  {
    prefix: 'snap-',
    code: 'InvalidSnapshot.NotFound',
    malformed: 'InvalidSnapshotID.Malformed',
    pattern: /^snap-[0-9a-f]{8}([0-9a-f]{9})?$/,
    say: (ids) => `The snapshot '${ids.join(', ')}' does not exist.`,
  },
  {
    prefix: 'i-',
    code: 'InvalidInstanceID.NotFound',
    malformed: 'InvalidInstanceID.Malformed',
    pattern: /^i-[0-9a-f]{8}([0-9a-f]{9})?$/,
    say: (ids) =>
      `The instance ID${ids.length > 1 ? 's' : ''} '${ids.join(', ')}' do${ids.length > 1 ? '' : 'es'} not exist`,
  },
  {
    prefix: 'lt-',
    code: 'InvalidLaunchTemplateId.NotFound',
    malformed: 'InvalidLaunchTemplateId.Malformed',
    pattern: /^lt-[0-9a-f]{17}$/,
    say: (ids) => `The launch template ID '${ids.join(', ')}' does not exist`,
  },
];

/** The error AWS gives for ids that name nothing: malformed ones first, then NotFound by resource type. */
export function notFoundError(missing: string[]): SandboxError {
  for (const id of missing) {
    const kind = NOT_FOUND.find((k) => id.startsWith(k.prefix));
    if (!kind) return new SandboxError('InvalidID', `The ID '${id}' is not valid`);
    if (!kind.pattern.test(id)) return new SandboxError(kind.malformed, `Invalid id: "${id}"`);
  }
  const kind = NOT_FOUND.find((k) => missing[0]!.startsWith(k.prefix))!;
  return new SandboxError(kind.code, kind.say(missing.filter((id) => id.startsWith(kind.prefix))));
}

/** Looks every id up; all-or-nothing like EC2 (one unknown id fails the whole call). */
export function requireAll<T>(ids: readonly string[], lookup: (id: string) => T | undefined): T[] {
  const found: T[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const value = lookup(id);
    if (value === undefined) missing.push(id);
    else found.push(value);
  }
  if (missing.length > 0) throw notFoundError(missing);
  return found;
}

export function idList(params: FormParams, name: string): string[] {
  return [...new Set(indexedList(params, name))];
}

/** EC2 refuses MaxResults together with an explicit id list. */
export function refuseMaxResultsWithIds(
  ids: readonly string[],
  maxResults: number | undefined,
  listName: string,
): void {
  if (ids.length > 0 && maxResults !== undefined) {
    throw new SandboxError(
      'InvalidParameterCombination',
      `The parameter ${listName} cannot be used with the parameter maxResults`,
    );
  }
}

/** Owner.N values: `self`, an account id, or an alias such as `amazon`. */
export function ownerMatcher(
  owners: readonly string[],
  accountId: string,
): ((ownerId: string, ownerAlias?: string) => boolean) | undefined {
  if (owners.length === 0) return undefined;
  const wanted = new Set(owners.map((o) => (o === 'self' ? accountId : o)));
  return (ownerId, ownerAlias) => wanted.has(ownerId) || (ownerAlias !== undefined && wanted.has(ownerAlias));
}
