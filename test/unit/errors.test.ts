import { describe, expect, it } from '@jest/globals';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { errorCode, errorText } from '../../shared/errors';

describe('errorText', () => {
  it('prefixes an SDK error message with its code', () => {
    const err = Object.assign(new Error('You are not authorized to perform this operation.'), {
      name: 'UnauthorizedOperation',
    });
    expect(errorText(err)).toBe('UnauthorizedOperation: You are not authorized to perform this operation.');
  });

  it('does not repeat a code the message already starts with', () => {
    const err = Object.assign(new Error('Throttling: Rate exceeded'), { name: 'Throttling' });
    expect(errorText(err)).toBe('Throttling: Rate exceeded');
  });

  it('gives a plain Error its message alone', () => {
    expect(errorText(new Error('socket hang up'))).toBe('socket hang up');
  });

  it('turns a non-Error throw into a string', () => {
    expect(errorText('boom')).toBe('boom');
    expect(errorText(undefined)).toBe('undefined');
  });
});

describe('errorCode', () => {
  it('reads the code of a real SDK exception', () => {
    const err = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    expect(errorCode(err)).toBe('ConditionalCheckFailedException');
  });

  it('is undefined for a value without a name', () => {
    expect(errorCode('boom')).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
  });
});
