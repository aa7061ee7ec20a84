/** The request log: what the SDKs asked for, so tests can count calls and see retries. */
export interface RequestEntry {
  seq: number;
  service: string;
  action: string;
  region: string;
  status: number;
  /** The AWS error code answered, if the request failed. */
  errorCode?: string;
  /** True when the answer came from the fault injector or the throttle model. */
  injected: boolean;
  /**
   * Top-level parameters with their member counts (InstanceId: 100 for a StartInstances of 100
   * instances; MaxResults: 1), so a replay can charge resource buckets and tell paginated calls apart.
   */
  params?: Record<string, number>;
}

export class RequestLog {
  private entries: RequestEntry[] = [];
  private seq = 0;

  record(entry: Omit<RequestEntry, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
  }

  all(): readonly RequestEntry[] {
    return this.entries;
  }

  /** Requests per `service:action`, e.g. { 'ec2:DescribeImages': 3 }. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.entries)
      counts[`${e.service}:${e.action}`] = (counts[`${e.service}:${e.action}`] ?? 0) + 1;
    return counts;
  }

  /** Requests for one action (or every action of the service when action is omitted). */
  count(service: string, action?: string): number {
    return this.entries.filter((e) => e.service === service && (action === undefined || e.action === action))
      .length;
  }

  /** Requests that were answered with an error (injected or not). */
  errors(): RequestEntry[] {
    return this.entries.filter((e) => e.errorCode !== undefined);
  }

  reset(): void {
    this.entries = [];
  }
}
