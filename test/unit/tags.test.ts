import { describe, expect, it } from '@jest/globals';
import {
  formatTimestamp,
  parseTimestamp,
  readBooleanTag,
  readTimestampTag,
  readUntilTag,
  readWholeNumberTag,
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

describe('readUntilTag', () => {
  const read = (value: string) => readUntilTag({ K: value }, 'K', 'ami-1');

  it('reads a timestamp as that moment and a date as the end of that UTC day', () => {
    expect(read('2026-12-31T18:00:00Z')).toEqual({ kind: 'ok', value: new Date('2026-12-31T18:00:00Z') });
    expect(read(' 2026-12-31 ')).toEqual({ kind: 'ok', value: new Date('2027-01-01T00:00:00Z') });
    expect(read('2028-02-29')).toEqual({ kind: 'ok', value: new Date('2028-03-01T00:00:00Z') });
    expect(readUntilTag({}, 'K', 'ami-1')).toEqual({ kind: 'absent' });
  });

  it.each(['2026-13-01', '2027-02-29', '2026-12-31T18:00:00+01:00', '2026-12-31T18:00', '31/12/2026', ''])(
    'refuses %j with the tag, value and what was expected',
    (value) => {
      expect(read(value)).toEqual({
        kind: 'invalid',
        problem: {
          resourceId: 'ami-1',
          tag: 'K',
          value,
          expected: 'an ISO 8601 UTC date such as 2026-12-31 or timestamp such as 2026-12-31T18:00:00Z',
        },
      });
    },
  );
});

describe('readWholeNumberTag', () => {
  const bounds = { min: 1, max: 3650, expected: 'days' };
  const read = (value: string) => readWholeNumberTag({ K: value }, 'K', 'ami-1', bounds);

  it.each([
    ['1', 1],
    ['30', 30],
    ['3650', 3650],
  ])('reads %j as %d', (value, n) => {
    expect(read(value)).toEqual({ kind: 'ok', value: n });
  });

  it.each([
    '0',
    '-1',
    '1e3',
    '7.5',
    ' 7',
    '7 ',
    '07',
    '+7',
    '3651',
    '999999',
    '9999999999999',
    '',
    'Infinity',
  ])('refuses %j', (value) => {
    expect(read(value)).toEqual({
      kind: 'invalid',
      problem: { resourceId: 'ami-1', tag: 'K', value, expected: 'days' },
    });
  });
});
