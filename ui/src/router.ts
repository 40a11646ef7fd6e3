// Hash-based routing: `#/path?query`. The server only ever serves `/`, so every page is a
// bookmarkable URL without server-side routes.

/** A parsed location: `#/assets/northbridge/positions?partition=2026-11-20` gives path `/assets/northbridge/positions`. */
export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

/** A mounted page: its element, and how to tear it down. */
export interface Page {
  readonly element: HTMLElement;
  readonly title: string;
  /** Closes what the page leaves behind when the user navigates away: subscriptions, timers, requests. */
  readonly dispose?: () => void;
}

/** A route: a path prefix, and the page it builds from the rest of the path. */
export interface Route {
  readonly prefix: string;
  /** Builds the page; `rest` is the decoded path after the prefix, without its leading `/`. */
  readonly page: (rest: string, location: Location) => Page;
}

/**
 * Parses a location hash.
 * @example parseHash('#/runs/01a2?x=1') // { path: '/runs/01a2', query: x=1 }
 */
export function parseHash(hash: string): Location {
  const body = hash.replace(/^#/, '') || '/';
  const at = body.indexOf('?');
  const rawPath = at < 0 ? body : body.slice(0, at);
  const path = rawPath.split('/').map((part) => safeDecode(part)).join('/');
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(at < 0 ? '' : body.slice(at + 1)) };
}

/**
 * The hash of a page; path segments are encoded, `/` inside asset keys is kept.
 * @example href('/assets', 'northbridge/positions') // '#/assets/northbridge/positions'
 */
export function href(prefix: string, rest = '', query: Record<string, string | undefined> = {}): string {
  const path = rest === '' ? prefix : `${prefix}/${rest.split('/').map(encodeURIComponent).join('/')}`;
  const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const text = search.toString();
  return `#${path}${text === '' ? '' : `?${text}`}`;
}

/** Finds the route of a path: the longest matching prefix wins; the root route matches only `/`. */
export function matchRoute(routes: readonly Route[], path: string): { route: Route; rest: string } | undefined {
  let best: { route: Route; rest: string } | undefined;
  for (const route of routes) {
    const exact = path === route.prefix;
    const below = route.prefix !== '/' && path.startsWith(`${route.prefix}/`);
    if (!exact && !below) continue;
    if (best !== undefined && best.route.prefix.length >= route.prefix.length) continue;
    best = { route, rest: exact ? '' : path.slice(route.prefix.length + 1) };
  }
  return best;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
