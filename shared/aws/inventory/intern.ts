/**
 * One string per distinct value of a field that repeats across records (owner, state): the parser
 * makes a fresh copy for every record, which at 100k AMIs + 100k instances is MBs of duplicates.
 */
export function internPool(): (value: string) => string {
  const pool = new Map<string, string>();
  return (value) => {
    const known = pool.get(value);
    if (known !== undefined) return known;
    pool.set(value, value);
    return value;
  };
}
