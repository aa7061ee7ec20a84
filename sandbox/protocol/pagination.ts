/**
 * NextToken handling. A token is an opaque, versioned position ("where to resume") so that a page
 * costs O(page), not a rescan of everything before it.
 */
import { SandboxError } from './errors';

export function encodeToken(position: number): string {
  return Buffer.from(`sbx1:${position}`).toString('base64url');
}

export function decodeToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const decoded = Buffer.from(token, 'base64url').toString();
  const match = /^sbx1:(\d+)$/.exec(decoded);
  if (!match) throw new SandboxError('InvalidNextToken', `The NextToken '${token}' is not valid`);
  return Number(match[1]);
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Offset pagination over a list that was already built (small lists: templates, tags, events). */
export function pageOfArray<T>(
  all: readonly T[],
  token: string | undefined,
  limit: number | undefined,
): Page<T> {
  const start = decodeToken(token);
  if (limit === undefined) return { items: all.slice(start) };
  const end = start + limit;
  return { items: all.slice(start, end), nextToken: end < all.length ? encodeToken(end) : undefined };
}

export function checkRange(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (value < min || value > max) {
    throw new SandboxError(
      'InvalidParameterValue',
      `Value ( ${value} ) for parameter ${name} is invalid. Expecting a value between ${min} and ${max}.`,
    );
  }
}
