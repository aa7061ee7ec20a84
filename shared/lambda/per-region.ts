/**
 * The per-region client cache of a handler, apart from deps.ts so that the handler's module (loaded
 * at cold start) does not import the AWS clients.
 */

/**
 * The client called `name` for `region`, made by `create` on first use and kept as long as the
 * handler lives. `name` tells apart a function's own clients (e.g. recovery's CloudWatch) from the
 * common ones.
 */
export type PerRegion = <T>(name: string, region: string, create: (region: string) => T) => T;

export function perRegionCache(): PerRegion {
  const cache = new Map<string, unknown>();
  return <T>(name: string, region: string, create: (region: string) => T): T => {
    const key = `${name}\u0000${region}`;
    if (!cache.has(key)) cache.set(key, create(region));
    return cache.get(key) as T;
  };
}
