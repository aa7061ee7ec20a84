/**
 * A keyed collection with a stable order, so Describe pagination resumes where it stopped in
 * O(page) instead of rescanning (issue 5 runs the sandbox at 100k images and 100k instances).
 * Every row gets a monotonically growing sequence number; a NextToken is the sequence number to
 * resume at, which stays valid across deletions and compactions.
 */
import { decodeToken, encodeToken, type Page } from '../protocol/pagination';

interface Row<T> {
  seq: number;
  value: T;
  deleted: boolean;
}

export class Table<T> {
  private readonly byKey = new Map<string, Row<T>>();
  private rows: Row<T>[] = [];
  private nextSeq = 1;
  private tombstones = 0;

  constructor(private readonly keyOf: (value: T) => string) {}

  get size(): number {
    return this.byKey.size;
  }

  add(value: T): T {
    const key = this.keyOf(value);
    if (this.byKey.has(key)) throw new Error(`sandbox: ${key} already exists`);
    const row = { seq: this.nextSeq++, value, deleted: false };
    this.byKey.set(key, row);
    this.rows.push(row);
    return value;
  }

  get(key: string): T | undefined {
    return this.byKey.get(key)?.value;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  delete(key: string): boolean {
    const row = this.byKey.get(key);
    if (!row) return false;
    row.deleted = true;
    this.byKey.delete(key);
    this.tombstones++;
    if (this.tombstones > 1024 && this.tombstones * 2 > this.rows.length) {
      this.rows = this.rows.filter((r) => !r.deleted);
      this.tombstones = 0;
    }
    return true;
  }

  *values(): IterableIterator<T> {
    for (const row of this.rows) if (!row.deleted) yield row.value;
  }

  /** One page of the rows matching `keep`, resuming at `token`; all of them when limit is undefined. */
  page(token: string | undefined, limit: number | undefined, keep: (value: T) => boolean): Page<T> {
    const startSeq = decodeToken(token);
    const items: T[] = [];
    for (let i = this.firstIndexAtOrAfter(startSeq); i < this.rows.length; i++) {
      const row = this.rows[i]!;
      if (row.deleted || !keep(row.value)) continue;
      if (limit !== undefined && items.length >= limit) return { items, nextToken: encodeToken(row.seq) };
      items.push(row.value);
    }
    return { items };
  }

  private firstIndexAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rows[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
