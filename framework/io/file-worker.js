// A worker thread of file-threads.ts: hashes files and puts written partition files in place with
// synchronous calls, so that one message replaces the ten or so thread-pool round trips the promise
// API would take (each costs the main thread about 20 µs, as much as a small step's own work). Plain
// JavaScript, because on Node 20 a worker thread cannot load TypeScript through the main thread's loader.
//
// Requests: `{ id, op: 'hash', path, sync }` and `{ id, op: 'place', temp, target, durable }`.
// Answers: `{ id, result: { dataVersion, bytes } }`, or `{ id, error: { message, code, path } }`.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';

/** Partition files reach hundreds of MB: read in large chunks into one reused buffer. */
const buffer = Buffer.allocUnsafe(1024 * 1024);

/** The SHA-256 of a file's bytes, flushing it to disk first when `sync`. */
function hash(path, sync) {
  const digest = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    let bytes = 0;
    for (let read = readSync(fd, buffer, 0, buffer.length, bytes); read > 0; read = readSync(fd, buffer, 0, buffer.length, bytes)) {
      digest.update(buffer.subarray(0, read));
      bytes += read;
    }
    if (sync) fsyncSync(fd);
    return { dataVersion: `sha256:${digest.digest('hex')}`, bytes };
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(path) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Hashes (and with `durable`, flushes) a temporary file, renames it to its target, then flushes the directory. */
function place(temp, target, durable) {
  const result = hash(temp, durable);
  renameSync(temp, target);
  if (durable) syncDirectory(dirname(target));
  return result;
}

parentPort.on('message', (request) => {
  try {
    const result = request.op === 'hash' ? hash(request.path, request.sync) : place(request.temp, request.target, request.durable);
    parentPort.postMessage({ id: request.id, result });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: { message: error.message, code: error.code, path: error.path } });
  }
});
