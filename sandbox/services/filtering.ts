/**
 * EC2-style filters: filters AND together, the values of one filter OR together, values may use
 * the `*` and `?` wildcards; `tag:KEY`, `tag-key` and `tag-value` work on every taggable resource.
 * The matcher is compiled once per request so a page over 100k resources stays cheap.
 */
import { SandboxError } from '../protocol/errors';
import type { RequestFilter } from '../protocol/form';

export type FieldReaders<T> = Record<string, (resource: T) => string | readonly string[] | undefined>;

function valueMatcher(values: readonly string[]): (candidate: string) => boolean {
  const exact = new Set(values.filter((v) => !/[*?]/.test(v)));
  const patterns = values
    .filter((v) => /[*?]/.test(v))
    .map(
      (v) =>
        new RegExp(
          `^${v
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
          's',
        ),
    );
  return (candidate) => exact.has(candidate) || patterns.some((p) => p.test(candidate));
}

export function compileFilters<T>(
  filters: readonly RequestFilter[],
  fields: FieldReaders<T>,
  tagsOf: ((resource: T) => Record<string, string>) | undefined,
  /** EC2 says InvalidParameterValue; Auto Scaling says ValidationError. */
  invalidFilterCode = 'InvalidParameterValue',
): (resource: T) => boolean {
  const tests = filters.map((filter): ((resource: T) => boolean) => {
    const matches = valueMatcher(filter.values);
    if (tagsOf && filter.name.startsWith('tag:')) {
      const key = filter.name.slice(4);
      return (r) => {
        const value = tagsOf(r)[key];
        return value !== undefined && matches(value);
      };
    }
    if (tagsOf && filter.name === 'tag-key') return (r) => Object.keys(tagsOf(r)).some(matches);
    if (tagsOf && filter.name === 'tag-value') return (r) => Object.values(tagsOf(r)).some(matches);
    const read = fields[filter.name];
    if (!read) {
      throw new SandboxError(
        invalidFilterCode,
        `The filter '${filter.name}' is invalid; valid: ${[...Object.keys(fields), ...(tagsOf ? ['tag:<key>', 'tag-key', 'tag-value'] : [])].join(', ')}`,
      );
    }
    return (r) => {
      const value = read(r);
      if (value === undefined) return false;
      return typeof value === 'string' ? matches(value) : value.some(matches);
    };
  });
  return (resource) => tests.every((test) => test(resource));
}
