/**
 * A clock that moves only when the test (or the bench) moves it: token buckets, budgets and waits
 * read it instead of the machine's time, so what a test asserts, and what the bench measures, holds
 * however busy the machine is.
 */
export class VirtualClock {
  constructor(private ms = 0) {}

  /** Milliseconds on this clock (a method bound to the instance, to pass around as `() => number`). */
  readonly now = (): number => this.ms;

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`VirtualClock.advance: expected a duration >= 0 ms, got ${ms}`);
    this.ms += ms;
  }

  /** A sleep that moves the clock instead of waiting. */
  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(ms);
  };
}
