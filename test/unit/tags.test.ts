import { describe, expect, it } from '@jest/globals';
import {
  formatTimestamp,
  parseTimestamp,
  readBooleanTag,
  readTimestampTag,
  tagsFromList,
} from '../../shared/tags';

describe('readBooleanTag', () => {
  it.each([
    ['true', true],
    [' TRUE ', true],
    ['False', false],
  ])('reads %j as %s', (raw, expected) => {
    expect(readBooleanTag({ AutoCleanup: raw }, 'AutoCleanup', 'ami-1')).toEqual({
      kind: 'ok',
      value: expected,
    });
  });

  it('reports a value it cannot read, naming the resource, tag, value and expectation', () => {
    const r = readBooleanTag({ AutoCleanup: 'maybe' }, 'AutoCleanup', 'ami-1');
    expect(r).toEqual({
      kind: 'invalid',
      problem: { resourceId: 'ami-1', tag: 'AutoCleanup', value: 'maybe', expected: 'true or false' },
    });
  });

  it('treats keys as case-sensitive', () => {
    expect(readBooleanTag({ autocleanup: 'true' }, 'AutoCleanup', 'ami-1')).toEqual({ kind: 'absent' });
  });
});

describe('timestamps', () => {
  it('round-trips the written form', () => {
    const d = new Date('2026-11-22T20:40:00.000Z');
    expect(formatTimestamp(d)).toBe('2026-11-22T20:40:00Z');
    expect(parseTimestamp('2026-11-22T20:40:00Z')).toEqual(d);
  });

  it.each([
    'yesterday',
    '2026-11-22',
    '2026-11-22T20:40:00+01:00',
    '2026-02-30T00:00:00Z',
    '2026-11-22T24:00:00Z',
    '',
  ])('refuses %j', (raw) => {
    expect(parseTimestamp(raw)).toBeUndefined();
    expect(readTimestampTag({ LastUsed: raw }, 'LastUsed', 'ami-2').kind).toBe('invalid');
  });

  it('accepts fractions and minute precision', () => {
    expect(parseTimestamp('2026-11-22T20:40:01.5Z')).toEqual(new Date('2026-11-22T20:40:01.500Z'));
    expect(parseTimestamp(' 2026-11-22T20:40Z ')).toEqual(new Date('2026-11-22T20:40:00Z'));
  });
});

it('tagsFromList keeps keys as written', () => {
  expect(tagsFromList([{ Key: 'A', Value: '1' }, { Key: 'a', Value: '2' }, { Key: 'B' }])).toEqual({
    A: '1',
    a: '2',
    B: '',
  });
});
