// A worker thread of file-threads.ts: hashes files and puts written partition files in place with
// synchronous calls, so that one message replaces the ten or so thread-pool round trips the promise
// API would take (each costs the main thread about 20 µs, as much as a small step's own work). Plain
// JavaScript, because on Node 20 a worker thread cannot load TypeScript through the main thread's loader.
//
// Requests:
// - `{ id, op: 'hash', path, sync, chunkBytes }`: the SHA-256 of the whole file; with `chunkBytes`,
//   only when the file is no larger (else `{ size }`, and the caller hashes its chunks);
// - `{ id, op: 'range', path, start, end }`: the SHA-256 of bytes [start, end);
// - `{ id, op: 'sync', path }`: flushes the file;
// - `{ id, op: 'place', temp, target, durable, chunkBytes, hashed }`: hashes (unless `hashed`) and,
//   with `durable`, flushes `temp`, renames it to `target`, then flushes the directory. A file larger
//   than `chunkBytes` is left where it is and answered with `{ size }`.
// Answers: `{ id, result }` with `{ sha256, bytes }`, `{ size }` or null, or `{ id, error: { message, code, path } }`.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';

/** Partition files reach hundreds of MB: read in large chunks into one reused buffer. */
const buffer = Buffer.allocUnsafe(1024 * 1024);

/** Runs `use` on the open file, closing it after. */
function withFile(path, use) {
  const fd = openSync(path, 'r');
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/** The SHA-256 of bytes [start, end) of an open file (to its end when `end` is undefined). */
function digestOf(fd, start, end = Infinity) {
  const digest = createHash('sha256');
  let position = start;
  for (;;) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
    if (read <= 0) break;
    digest.update(buffer.subarray(0, read));
    position += read;
  }
  return { sha256: digest.digest('hex'), bytes: position - start };
}

/** The file's SHA-256 (then flushing it when `sync`), or `{ size }` when it is larger than `chunkBytes`. */
function hash(path, sync, chunkBytes = Infinity) {
  return withFile(path, (fd) => {
    if (chunkBytes !== Infinity) {
      const { size } = fstatSync(fd);
      if (size > chunkBytes) return { size };
    }
    const result = digestOf(fd, 0);
    if (sync) fsyncSync(fd);
    return result;
  });
}

function sync(path) {
  withFile(path, fsyncSync);
  return null;
}

/** Hashes (unless `hashed`) and, with `durable`, flushes a temporary file, renames it to its target, then flushes the directory. */
function place({ temp, target, durable, chunkBytes, hashed }) {
  const result = hashed ? null : hash(temp, durable, chunkBytes);
  if (result?.size !== undefined) return result;
  renameSync(temp, target);
  if (durable) sync(dirname(target));
  return result;
}

const operations = {
  hash: (request) => hash(request.path, request.sync, request.chunkBytes),
  range: (request) => withFile(request.path, (fd) => digestOf(fd, request.start, request.end)),
  sync: (request) => sync(request.path),
  place,
};

parentPort.on('message', (request) => {
  try {
    parentPort.postMessage({ id: request.id, result: operations[request.op](request) });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: { message: error.message, code: error.code, path: error.path } });
  }
});
