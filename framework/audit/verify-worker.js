// A worker thread of verifyAuditChainParallel() (parallel-verify.ts). Plain JavaScript, because on
// Node 20 a worker thread cannot load TypeScript through the loader the main thread registered.
//
// It receives a batch of events as text, one per line: `hash \t prev_hash canonical`, where
// `canonical` is the event's encoding (docs/store.md): the hash covers exactly `prev_hash canonical`.
// It checks every link inside the batch, in the order the store's verifier does (seq, prev_hash,
// hash), and answers with the batch's ends and the first link that does not hold. A batch whose lines
// are not one per stored row is reported as such. The links between batches are the main thread's.
import { hash as hashOf } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/**
 * @param {{ id: number, text: string, rows: number }} batch
 * @returns {{ id: number, count: number, firstSeq: number, firstPrev: string, lastSeq: number, lastHash: string, broken: { seq: number, reason: string } | null }}
 */
function verifyBatch({ id, text, rows }) {
  let count = 0;
  let firstSeq = 0;
  let firstPrev = '';
  let lastSeq = 0;
  let lastHash = '';
  const result = (broken) => ({ id, count, firstSeq, firstPrev, lastSeq, lastHash, broken });
  let position = 0;
  while (position < text.length) {
    let end = text.indexOf('\n', position);
    if (end < 0) end = text.length;
    if (count >= rows || text.charCodeAt(position + 64) !== 9) return result({ seq: lastSeq + 1, reason: 'unparsed' });
    const hash = text.slice(position, position + 64);
    const prev = text.slice(position + 65, position + 129);
    const seq = Number(text.slice(position + 130, text.indexOf(',', position + 130)));
    if (count === 0) {
      firstSeq = seq;
      firstPrev = prev;
    } else if (seq !== lastSeq + 1) {
      return result({ seq, reason: 'seq-gap' });
    } else if (prev !== lastHash) {
      return result({ seq, reason: 'prev-hash-mismatch' });
    }
    if (hashOf('sha256', text.slice(position + 65, end)) !== hash) return result({ seq, reason: 'hash-mismatch' });
    count++;
    lastSeq = seq;
    lastHash = hash;
    position = end + 1;
  }
  return result(count === rows ? null : { seq: lastSeq + 1, reason: 'unparsed' });
}

parentPort?.on('message', (batch) => parentPort?.postMessage(verifyBatch(batch)));
