/** Printable ASCII but `"` and `\`: text that JSON quotes as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A string's JSON text, exactly as JSON.stringify gives it. Most strings written in bulk (names,
 * keys, ids, paths) are plain, and quoting those here costs a fifth of a JSON.stringify call.
 *
 * @example
 * quoteJson('northbridge/positions'); // '"northbridge/positions"'
 */
export function quoteJson(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** A string's JSON text, or `null` for none. */
export function nullableJson(text: string | null | undefined): string {
  return text == null ? 'null' : quoteJson(text);
}

/** A number's JSON text, as JSON.stringify gives it: `null` for NaN and the infinities, `0` for -0. */
export function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
