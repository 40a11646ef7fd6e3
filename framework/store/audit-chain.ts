import { hash } from 'node:crypto';
import { nullableJson, numberJson, quoteJson } from '../util/json-text.ts';
import { storableText } from './text.ts';

/** The prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event that its hash covers, besides prev_hash. */
export interface AuditLink {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly asset: string | null;
  readonly partition: string | null;
  readonly runId: string | null;
  /** The payload exactly as stored: canonical JSON text. */
  readonly payloadText: string;
}

/**
 * JSON with object keys sorted (by UTF-16 code unit) and no whitespace, so equal values always give
 * equal text. `undefined` members are left out, as JSON.stringify does. Strings are made storable
 * first (NUL and lone surrogates become U+FFFD), because PostgreSQL's JSON functions refuse them.
 * Every store write encodes its audit payloads with it, so it builds the text itself rather than
 * calling JSON.stringify for each key and value.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoteJson(storableText(value));
    case 'number':
      return numberJson(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      if (value instanceof Date) return `"${value.toISOString()}"`;
      const record = value as Record<string, unknown>;
      let text = '';
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined || typeof item === 'function') continue;
        text += `${text === '' ? '' : ','}${quoteJson(storableText(key))}:${canonicalJson(item)}`;
      }
      return `{${text}}`;
    }
    default:
      return JSON.stringify(value ?? null);
  }
}

/**
 * The canonical encoding of one event: a JSON array `[seq, at, actor, action, asset, partition,
 * run, payload]`, with `at` as ISO-8601 UTC in milliseconds, absent subjects as null, and the
 * payload's stored text inlined as is.
 */
export function encodeAuditLink(link: AuditLink): string {
  return (
    `[${link.seq},"${link.at.toISOString()}",${quoteJson(link.actor)},${quoteJson(link.action)},` +
    `${nullableJson(link.asset)},${nullableJson(link.partition)},${nullableJson(link.runId)},${link.payloadText}]`
  );
}

/** sha256, in lowercase hex, of the previous event's hash followed by this event's canonical encoding (UTF-8). */
export function auditHash(prevHash: string, link: AuditLink): string {
  return hash('sha256', prevHash + encodeAuditLink(link));
}
