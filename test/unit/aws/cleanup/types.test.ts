/**
 * The apply result's image references check: a tagged union, printed as the one word or
 * `unknown: <why>` it has always been, and merged over a run's rounds so that one round finding the
 * call unsupported makes the whole run's check unknown.
 */
import { describe, expect, it } from '@jest/globals';

import {
  describeImageReferencesCheck,
  mergeApplyResults,
  type CleanupApplyResult,
} from '../../../../shared/aws/cleanup';
import { emptyApplyResult } from '../../../../shared/aws/cleanup/types';

const round = (over: Partial<CleanupApplyResult>): CleanupApplyResult => ({
  ...emptyApplyResult(true),
  ...over,
});

describe('describeImageReferencesCheck', () => {
  it('prints checked, off, or unknown with the reason', () => {
    expect(describeImageReferencesCheck({ kind: 'checked' })).toBe('checked');
    expect(describeImageReferencesCheck({ kind: 'off' })).toBe('off');
    expect(describeImageReferencesCheck({ kind: 'unknown', message: 'InvalidAction: no such action' })).toBe(
      'unknown: InvalidAction: no such action',
    );
  });
});

describe('mergeApplyResults', () => {
  it('is what the run asked for when no round found the call unsupported', () => {
    expect(mergeApplyResults([], true).imageReferences).toEqual({ kind: 'checked' });
    expect(mergeApplyResults([], false).imageReferences).toEqual({ kind: 'off' });
    expect(mergeApplyResults([round({}), round({})], true).imageReferences).toEqual({ kind: 'checked' });
  });

  it('is unknown, with the reason, once any round found the call unsupported', () => {
    const unknown = { kind: 'unknown' as const, message: 'InvalidAction' };
    const merged = mergeApplyResults(
      [round({}), round({ imageReferences: unknown }), round({ imageReferences: { kind: 'off' } })],
      true,
    );
    expect(merged.imageReferences).toEqual(unknown);
  });

  it('keeps every round’s outcomes in order and is incomplete if any round was', () => {
    const merged = mergeApplyResults(
      [
        round({ deregistered: ['ami-1'], snapshotsDeleted: ['snap-1'] }),
        round({ deregistered: ['ami-2'], incomplete: true }),
      ],
      true,
    );
    expect(merged.deregistered).toEqual(['ami-1', 'ami-2']);
    expect(merged.snapshotsDeleted).toEqual(['snap-1']);
    expect(merged.incomplete).toBe(true);
  });
});
