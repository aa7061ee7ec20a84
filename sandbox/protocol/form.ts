/**
 * Query-protocol request parameters (EC2 query and AWS query are both form-encoded POST bodies).
 * Lists arrive flattened: EC2 writes `ImageId.1`, `Filter.1.Name`, `Filter.1.Value.1`; AWS query
 * writes `AutoScalingGroupNames.member.1`, `Filters.member.1.Values.member.1`.
 */
import { SandboxError } from './errors';

export type FormParams = Map<string, string>;

export function parseForm(body: string): FormParams {
  return new Map(new URLSearchParams(body));
}

/** Values of `prefix.1`, `prefix.2`, ... in index order (gaps tolerated, as AWS does). */
export function indexedList(params: FormParams, prefix: string): string[] {
  const found: Array<[number, string]> = [];
  const head = `${prefix}.`;
  for (const [key, value] of params) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    if (/^\d+$/.test(rest)) found.push([Number(rest), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** Sub-parameter maps of `prefix.N.*`, e.g. `Tag.1.Key` / `Tag.1.Value` -> [{Key, Value}]. */
export function indexedStructs(params: FormParams, prefix: string): FormParams[] {
  const byIndex = new Map<number, FormParams>();
  const head = `${prefix}.`;
  for (const [key, value] of params) {
    if (!key.startsWith(head)) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(head.length));
    if (!match) continue;
    const index = Number(match[1]);
    let struct = byIndex.get(index);
    if (!struct) byIndex.set(index, (struct = new Map()));
    struct.set(match[2]!, value);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

export interface RequestFilter {
  name: string;
  values: string[];
}

/** EC2: filters(p, 'Filter', 'Value'); AWS query: filters(p, 'Filters.member', 'Values.member'). */
export function parseFilters(params: FormParams, listPrefix: string, valuesPrefix: string): RequestFilter[] {
  return indexedStructs(params, listPrefix).map((struct) => {
    const name = struct.get('Name');
    if (!name) throw new SandboxError('InvalidParameterValue', `Every ${listPrefix}.N needs a Name`);
    return { name, values: indexedList(struct, valuesPrefix) };
  });
}

export function optionalInt(params: FormParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new SandboxError('InvalidParameterValue', `Value (${raw}) for parameter ${name} is not an integer`);
  }
  return value;
}

export function requiredParam(params: FormParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') {
    throw new SandboxError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return value;
}

export function optionalBool(params: FormParams, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  return raw.toLowerCase() === 'true';
}
