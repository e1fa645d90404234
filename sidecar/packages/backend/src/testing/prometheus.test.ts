import { describe, expect, it } from 'vitest';
import { parseExposition, samplesOf } from './prometheus';

const VALID = [
  '# HELP requests Requests.',
  '# UNIT requests_seconds s',
  '# TYPE requests_seconds histogram',
  'requests_seconds_bucket{route="/a",le="0.1"} 1',
  'requests_seconds_bucket{route="/a",le="+Inf"} 2',
  'requests_seconds_count{route="/a"} 2',
  'requests_seconds_sum{route="/a"} 0.35',
  '',
  '# TYPE lag gauge',
  'lag Nan',
  'quoted{v="a\\"b\\\\c"} 1e-3',
  '',
].join('\n');

describe('parseExposition (test helper)', () => {
  it('reads families, labels and values', () => {
    const page = parseExposition(VALID);
    expect(page.types.get('requests_seconds')).toBe('histogram');
    expect(samplesOf(page, 'requests_seconds_count', { route: '/a' })).toEqual([
      { name: 'requests_seconds_count', labels: { route: '/a' }, value: 2 },
    ]);
    expect(samplesOf(page, 'requests_seconds_bucket', { le: '+Inf' })[0]!.value).toBe(2);
    expect(samplesOf(page, 'lag')[0]!.value).toBeNaN();
    expect(samplesOf(page, 'quoted')[0]).toEqual({ name: 'quoted', labels: { v: 'a"b\\c' }, value: 0.001 });
  });

  it.each([
    ['a second TYPE', '# TYPE a gauge\na 1\n# TYPE a gauge\n', 'second TYPE for a'],
    ['a split family', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 2\n', 'family a is split'],
    ['a bad value', 'a one\n', 'value'],
    ['an unquoted label', 'a{x=1} 1\n', /label syntax|invalid line/],
    ['a bad metric name', '1a 1\n', 'sample syntax'],
    ['an unknown type', '# TYPE a countr\n', 'unknown type'],
  ])('rejects %s', (_what, text, why: string | RegExp) => {
    expect(() => parseExposition(text)).toThrow(why);
  });
});
