/**
 * Deterministic AWS-looking ids (`ami-0` + 16 hex digits = 17, like real ones). A counter is
 * scrambled by multiplying with an odd constant modulo 2^64, which is a bijection: ids look random,
 * never collide, and the same seeding gives the same ids on every run.
 */
const MULTIPLIER = 0x9e3779b97f4a7c15n;
const MASK = (1n << 64n) - 1n;

export class IdGenerator {
  private counter = 0n;

  next(prefix: string): string {
    this.counter++;
    const scrambled = (this.counter * MULTIPLIER) & MASK;
    return `${prefix}-0${scrambled.toString(16).padStart(16, '0')}`;
  }
}
