import { describe, expect, it } from '@jest/globals';
import { createDispatcher } from '../../../../sandbox/dispatch';
import { Faults } from '../../../../sandbox/faults';
import { RequestLog } from '../../../../sandbox/requests';
import { SERVICES } from '../../../../sandbox/services';
import { SandboxState } from '../../../../sandbox/state/account';
import { Table } from '../../../../sandbox/state/table';
import { encodeToken } from '../../../../sandbox/protocol/pagination';

const numbers = (n: number) => {
  const table = new Table<{ id: string; n: number }>((r) => r.id);
  for (let i = 0; i < n; i++) table.add({ id: `r${i}`, n: i });
  return table;
};

describe('Table pagination', () => {
  it('resumes after the last row of a page, even when rows were deleted in between and the table compacted', () => {
    const table = numbers(5000);
    const first = table.page(undefined, 1000, (r) => r.n % 2 === 0);
    expect(first.items.map((r) => r.n).slice(0, 3)).toEqual([0, 2, 4]);
    expect(first.items).toHaveLength(1000);
    for (let i = 0; i < 4000; i++) table.delete(`r${i}`); // forces a compaction
    const second = table.page(first.nextToken, 1000, (r) => r.n % 2 === 0);
    expect(second.items[0]!.n).toBe(4000);
    expect(second.items).toHaveLength(500);
    expect(second.nextToken).toBeUndefined();
  });

  it('gives no NextToken when nothing matching is left after a full page', () => {
    const page = numbers(10).page(undefined, 5, (r) => r.n < 5);
    expect(page.items).toHaveLength(5);
    expect(page.nextToken).toBeUndefined();
  });

  it('refuses a token it did not write', () => {
    expect(() => numbers(1).page('garbage', 5, () => true)).toThrow(/NextToken 'garbage' is not valid/);
  });
});

describe('at issue 5 scale', () => {
  it('reads only the rows of the page it serves, however deep the token (work counted, not timed)', () => {
    const table = numbers(100_000);
    let looked = 0;
    const deep = table.page(encodeToken(98_001), 1000, () => {
      looked += 1;
      return true;
    });
    expect(deep.items[0]!.n).toBe(98_000);
    expect(deep.items).toHaveLength(1000);
    // The page plus the one row that proves there is a next page: a rescan would look at 99,001.
    expect(looked).toBe(1001);
  });

  it('seeds 100k images and 100k instances, and serves a page deep in the table', async () => {
    const state = new SandboxState();
    const region = state.region('eu-west-1');
    const ids: string[] = [];
    for (let i = 0; i < 100_000; i++) ids.push(region.addImage({ name: `img-${i}`, snapshotIds: [] }).id);
    for (let i = 0; i < 100_000; i++) region.addInstance({ imageId: ids[i]! });
    const dispatcher = createDispatcher(SERVICES, state, new Faults(), new RequestLog());
    const headers = { authorization: 'AWS4-HMAC-SHA256 Credential=test/20261123/eu-west-1/ec2/aws4_request' };
    const page = async (token?: string) => {
      const reply = await dispatcher.handle(
        headers,
        `Action=DescribeInstances&MaxResults=1000${token ? `&NextToken=${encodeURIComponent(token)}` : ''}`,
      );
      return { body: reply.body };
    };
    const first = await page();
    const token = /<nextToken>([^<]+)<\/nextToken>/.exec(first.body)![1]!;
    // Jump to the 99th page: a token is the sequence number (1-based) of the row to resume at.
    const deepToken = encodeToken(98_001);
    const deep = await page(deepToken);
    expect(token).toBeDefined();
    expect(deep.body).toContain(ids[98_000]!);
    expect(deep.body).not.toContain(ids[97_999]!);
  });
});
