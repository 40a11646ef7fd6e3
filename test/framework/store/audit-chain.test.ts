import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson, encodeAuditLink, type AuditLink } from '../../../framework/store/audit-chain.ts';
import type { AuditRow } from '../../../framework/store/schema.ts';
import { storableText } from '../../../framework/store/text.ts';
import { auditJson } from '../../../framework/store/write-changes.ts';

// The encodings every stored hash was made with, spelled with JSON.stringify: the store's own
// builders must give the same text byte for byte, or the chains already stored stop verifying.
function referenceCanonical(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(storableText(value));
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : referenceCanonical(item))).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || typeof item === 'function') continue;
    parts.push(`${JSON.stringify(storableText(key))}:${referenceCanonical(item)}`);
  }
  return `{${parts.join(',')}}`;
}

const referenceLink = (link: AuditLink) =>
  `${JSON.stringify([link.seq, link.at.toISOString(), link.actor, link.action, link.asset, link.partition, link.runId]).slice(0, -1)},${link.payloadText}]`;

const awkward = [
  'plain',
  '',
  'quote " and backslash \\',
  'line\nbreak\ttab\u0001\u001f\u007f',
  'NUL \u0000 inside',
  'lone \uD800 high and \uDC00 low',
  'emoji 📈 and ünïcödé',
  '\u2028\u2029',
];

describe('the audit chain encodings', () => {
  it('encode payloads as the JSON.stringify spelling does, escapes and odd numbers included', () => {
    const payloads: unknown[] = [
      { step: '01a2044b-974b-7000-8bc1-73ef3f35b9cf', attempt: 1, worker: undefined, rowCount: 1204, versionChanged: true, location: '/srv/x/data.parquet' },
      { z: 1, a: { y: [1, undefined, null, 'two', { b: 2, a: 1 }], x: new Date('2026-11-20T10:00:00.123Z') }, fn: () => 1, 'k"ey': 'v' },
      { numbers: [0, -0, 1.5, -2e-7, 1e21, 5e-324, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY] },
      Object.fromEntries(awkward.map((text, i) => [text, { i, text }])),
      awkward,
      [],
      {},
      'a string',
      42,
      null,
      false,
    ];
    for (const payload of payloads) expect(canonicalJson(payload)).toBe(referenceCanonical(payload));
  });

  it('encode links and hash them as before', () => {
    let prev = '0'.repeat(64);
    for (const [i, text] of awkward.entries()) {
      const link: AuditLink = {
        seq: i + 1,
        at: new Date(Date.UTC(2026, 10, 20, 10, 0, 0, i)),
        actor: storableText(text),
        action: 'asset.materialized',
        asset: i % 2 === 0 ? null : storableText(`asset ${text}`),
        partition: i % 3 === 0 ? null : storableText(text),
        runId: i % 2 === 0 ? '01a2044b-974b-7000-8bc1-73ef3f35b9cf' : null,
        payloadText: canonicalJson({ text, i }),
      };
      expect(encodeAuditLink(link)).toBe(referenceLink(link));
      const hash = auditHash(prev, link);
      expect(hash).toBe(createHash('sha256').update(prev).update(referenceLink(link)).digest('hex'));
      prev = hash;
    }
  });

  it('write audit rows as JSON.stringify would, with the payload text inlined', () => {
    const rows: AuditRow[] = awkward.map((text, i) => ({
      seq: i + 1,
      at: new Date(Date.UTC(2026, 10, 20, 10, 0, 0, i)),
      actor: storableText(text),
      action: 'check.passed',
      asset: i % 2 === 0 ? null : storableText(text),
      partition_key: i % 3 === 0 ? null : '2026-11-20|PF001',
      run_id: i % 2 === 0 ? '01a2044b-974b-7000-8bc1-73ef3f35b9cf' : null,
      payload_text: canonicalJson({ text }),
      prev_hash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
    }));
    const reference = `[${rows.map(({ payload_text, ...row }) => `${JSON.stringify(row).slice(0, -1)},"payload":${payload_text}}`).join(',')}]`;
    expect(auditJson(rows)).toBe(reference);
    expect(auditJson([])).toBe('[]');
  });
});
