import { expect, it } from '@jest/globals';
import { formatDuration } from '../../../shared/plan/format';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

it.each([
  [0, '0 s'],
  [12 * S + 999, '12 s'],
  [45 * M, '45 min'],
  [2 * H + 5 * M + 3 * S, '2 h 5 min'],
  [D, '1 day'],
  [19 * D + 3 * H + 12 * M, '19 days 3 h'],
  // Just over a limit never reads as the limit itself.
  [7 * D + S, '7 days 1 s'],
  [H + 30 * S, '1 h 30 s'],
  [7 * D + 5 * M, '7 days 5 min'],
])('formatDuration(%d) is %j', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});
