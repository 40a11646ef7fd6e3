import { describe, expect, it } from 'vitest';
import { href, matchRoute, parseHash, type Route } from '../../ui/src/router.ts';

const page = () => ({ element: undefined as never, title: '' });
const routes: Route[] = [
  { prefix: '/', page },
  { prefix: '/assets', page },
  { prefix: '/runs', page },
];

describe('hash routing', () => {
  it('keeps the slashes of an asset key in the path and round-trips odd characters', () => {
    expect(href('/assets', 'northbridge/positions')).toBe('#/assets/northbridge/positions');
    const odd = href('/assets', 'a b/c#d?e');
    expect(odd).toBe('#/assets/a%20b/c%23d%3Fe');
    const location = parseHash(odd);
    expect(matchRoute(routes, location.path)).toEqual({ route: routes[1], rest: 'a b/c#d?e' });
  });

  it('parses the query of a hash and leaves empty values out of links', () => {
    expect(parseHash('#/?q=pnl&status=stale').query.get('q')).toBe('pnl');
    expect(href('/', '', { q: 'pnl', group: '', owner: undefined })).toBe('#/?q=pnl');
  });

  it('matches the longest prefix, the catalog for an empty hash, and nothing for a path no route owns', () => {
    expect(matchRoute(routes, parseHash('').path)).toEqual({ route: routes[0], rest: '' });
    expect(matchRoute(routes, '/runs/01a2')).toEqual({ route: routes[2], rest: '01a2' });
    expect(matchRoute(routes, '/runsx')).toBeUndefined();
    expect(matchRoute(routes, '/nowhere/else')).toBeUndefined();
  });
});
