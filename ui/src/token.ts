// The operator's bearer token: entered once, kept in this browser's localStorage.

const KEY = 'daybook.token';
/** Dispatched on `window` when the token changes. */
export const TOKEN_EVENT = 'daybook:token';

/** The stored token, or undefined. */
export function readToken(): string | undefined {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Stores (or, given an empty string, forgets) the token. */
export function writeToken(token: string): void {
  const trimmed = token.trim();
  if (trimmed === '') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, trimmed);
  window.dispatchEvent(new Event(TOKEN_EVENT));
}
