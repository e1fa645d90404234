import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './history';

describe('history page tokens', () => {
  it('round-trip the position of the last row', () => {
    const cursor = { createdAt: new Date('2026-02-03T04:05:06.789Z'), id: 42 };
    const token = encodePageToken(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token)).toEqual(cursor);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['the wrong shape', Buffer.from(JSON.stringify({ id: 1 })).toString('base64url')],
    ['a bad date', Buffer.from(JSON.stringify(['yesterday', 1])).toString('base64url')],
    ['a fractional id', Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 1.5])).toString('base64url')],
  ])('reject %s with a 400', (_, token) => {
    expect(() => decodePageToken(token)).toThrow(expect.objectContaining({ name: 'InputError' }));
  });
});
