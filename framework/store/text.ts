const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Any surrogate: text without one (nearly all) needs no look for lone ones, found by one quick scan. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Text that PostgreSQL stores exactly as given: NUL (which a text column refuses) and lone surrogates
 * (which UTF-8 cannot hold) become U+FFFD. Without this, an error message with a NUL byte would fail
 * the very write that records the failure, and a hashed field would not read back as it was hashed.
 * Past `max` characters the rest is cut, keeping the start (messages) or the end (log tails).
 */
export function storableText(text: string, max = Infinity, keep: 'start' | 'end' = 'start'): string {
  let result = text;
  if (result.length > max) {
    const note = `… [${result.length - max} characters cut] …`;
    result = keep === 'end' ? note + result.slice(result.length - max) : result.slice(0, max) + note;
  }
  if (result.includes('\u0000')) result = result.replaceAll('\u0000', '\uFFFD');
  return SURROGATE.test(result) ? result.replace(LONE_SURROGATE, '\uFFFD') : result;
}

/** A JSON value with every key and string made storable (see storableText): PostgreSQL's JSON parser refuses NUL and lone surrogates. */
export function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (value instanceof Date) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[storableText(key)] = storableJson(item);
  return result as T;
}
