import { describe, expect, it } from 'vitest';
import type { StockPluginDefinition } from './definitions';
import { RouteRefusal, checkedBody, hasBody, matchRoute, pluginPathOf, searchOf } from './routes';

const definition: StockPluginDefinition = {
  pluginId: 'example',
  packageName: 'example-backend',
  routes: [
    { method: 'GET', path: /^\/items$/, query: { state: /^(open|closed)$/, page: /^[0-9]{1,3}$/ } },
    { method: 'GET', path: /^\/plain$/ },
    {
      method: 'GET',
      path: /^\/own\/([a-z]+)$/,
      pluginPath: (path, settings) => {
        if (path !== `/own/${settings.config.mine}`) throw new Error('not yours');
        return `/renamed/${settings.config.mine}`;
      },
    },
    {
      method: 'POST',
      path: /^\/entities\/([a-z]+)\/query$/,
      body: (body, path) => {
        if (typeof body !== 'object' || body === null) throw new Error('expected an object');
        return { entityRef: `component:default/${/^\/entities\/([a-z]+)/.exec(path)![1]}` };
      },
    },
  ],
  configFor: () => ({}),
  isolation: 'a test fixture',
  annotationsFor: () => ({}),
};

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof RouteRefusal) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('matchRoute', () => {
  it('matches by method and path and puts the allowed query in a canonical order', () => {
    const matched = matchRoute(definition, 'GET', '/items', 'state=open&page=2');
    expect(matched.search).toBe('?page=2&state=open');
    expect(matched.query).toEqual({ page: '2', state: 'open' });
    expect(matchRoute(definition, 'GET', '/plain', '').search).toBe('');
  });

  it('is 404 for another method or path', () => {
    expect(refusal(() => matchRoute(definition, 'POST', '/items', ''))).toMatchObject({ status: 404 });
    expect(refusal(() => matchRoute(definition, 'GET', '/items/../admin', ''))).toMatchObject({ status: 404 });
  });

  it('is 400 for a parameter the route does not take, naming it and the ones it takes', () => {
    expect(refusal(() => matchRoute(definition, 'GET', '/items', 'instance=other'))).toEqual({
      status: 400,
      message: 'the example route /items takes no query parameter "instance" (it takes state, page)',
    });
    expect(refusal(() => matchRoute(definition, 'GET', '/plain', 'a=1'))).toMatchObject({ status: 400 });
  });

  it('is 400 for a repeated parameter, a value off its pattern, or bracket syntax', () => {
    for (const search of ['state=open&state=closed', 'state=all', 'page=1000', 'state[x]=open', 'state=open%0a']) {
      expect(refusal(() => matchRoute(definition, 'GET', '/items', search)).status).toBe(400);
    }
  });
});

describe('checkedBody', () => {
  it("forwards what the route makes of the body, never the caller's entity", () => {
    const matched = matchRoute(definition, 'POST', '/entities/checkout/query', '');
    expect(checkedBody(definition, matched, { entityRef: 'component:other/secret' })).toEqual({
      entityRef: 'component:default/checkout',
    });
  });

  it("is 400 with the route's reason, and for a route that takes no body", () => {
    const matched = matchRoute(definition, 'POST', '/entities/checkout/query', '');
    expect(refusal(() => checkedBody(definition, matched, 'text'))).toEqual({
      status: 400,
      message: 'the body of example /entities/checkout/query was refused: expected an object',
    });
    expect(refusal(() => checkedBody(definition, matchRoute(definition, 'GET', '/plain', ''), {}))).toMatchObject({
      status: 400,
    });
  });
});

describe('request helpers', () => {
  it('reads the raw query string and whether a body comes', () => {
    expect(searchOf('/a?b=1&c=2')).toBe('b=1&c=2');
    expect(searchOf('/a')).toBe('');
    expect(hasBody({ 'content-length': '0' })).toBe(false);
    expect(hasBody({ 'content-length': '2' })).toBe(true);
    expect(hasBody({ 'transfer-encoding': 'chunked' })).toBe(true);
  });
});

describe('pluginPathOf', () => {
  const settings = { config: { mine: 'abc' }, secrets: {} };
  it("is the route's rewrite with the workspace's settings, or the path as is", () => {
    expect(pluginPathOf(definition, matchRoute(definition, 'GET', '/own/abc', ''), settings)).toBe('/renamed/abc');
    expect(pluginPathOf(definition, matchRoute(definition, 'GET', '/plain', ''), settings)).toBe('/plain');
  });
  it("is 400 with the route's reason when the route refuses", () => {
    expect(refusal(() => pluginPathOf(definition, matchRoute(definition, 'GET', '/own/xyz', ''), settings))).toEqual({
      status: 400,
      message: 'the example route /own/xyz was refused: not yours',
    });
  });
});
