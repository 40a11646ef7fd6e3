import { randomFillSync } from 'node:crypto';
import { StoreError } from '../util/errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const bytes = new Uint8Array(16);
let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48 bits of epoch milliseconds, a 12-bit counter, then random bits. Ids are
 * made by the store rather than the database so a batch of writes can refer to rows it is
 * creating. The counter (method 1 of the RFC) makes the ids of one process strictly increasing,
 * so ordering by id gives creation order, e.g. the planned order of a run's steps.
 */
export function newId(epochMs: number): string {
  let ms = Math.max(0, Math.floor(epochMs));
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    lastMs = ms;
    counter = 0;
  }
  randomFillSync(bytes);
  let time = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += HEX[bytes[i]!]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
  }
  return hex;
}

/** A caller's id in canonical form; a StoreError naming the field when it is not a UUID. */
export function checkId(id: string, field: string): string {
  const lower = typeof id === 'string' ? id.toLowerCase() : '';
  if (!UUID.test(lower)) throw new StoreError('store-invalid-write', `${field} ${JSON.stringify(id)} is not a UUID`, { field });
  return lower;
}
