import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

type FileRequest =
  | { op: 'hash'; path: string; sync: boolean; chunkBytes?: number }
  | { op: 'range'; path: string; start: number; end: number }
  | { op: 'sync'; path: string }
  | { op: 'place'; temp: string; target: string; durable: boolean; chunkBytes: number; hashed: boolean };

/** A thread's answer: a SHA-256 in hex and the bytes it covers, or the size of a file too large to hash in one piece. */
export type Digest = { readonly sha256: string; readonly bytes: number };
export type TooLarge = { readonly size: number };

interface Thread {
  readonly worker: Worker;
  busy: number;
}

interface Pending {
  readonly thread: Thread;
  readonly resolve: (result: never) => void;
  readonly reject: (error: Error) => void;
}

/** Flushes wait on the disk, not the CPU, and the disk takes several at once: more threads than cores. */
const MAX_THREADS = Math.max(4, 4 * availableParallelism());

const threads: Thread[] = [];
const pending = new Map<number, Pending>();
let nextId = 0;

/** The error a thread reported, with its `code` (e.g. ENOENT) and `path`, as fs's own errors have. */
function fileError({ message, code, path }: { message: string; code?: string; path?: string }): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code }, path === undefined ? {} : { path });
}

function start(): Thread {
  const worker = new Worker(new URL('./file-worker.js', import.meta.url));
  // Idle threads do not keep the process alive; a thread with work does (see run).
  worker.unref();
  const thread: Thread = { worker, busy: 0 };
  worker.on('message', ({ id, result, error }: { id: number; result?: never; error?: { message: string; code?: string; path?: string } }) => {
    const job = pending.get(id);
    if (!job) return;
    pending.delete(id);
    if (--thread.busy === 0) worker.unref();
    if (error) job.reject(fileError(error));
    else job.resolve(result!);
  });
  const fail = (error: Error) => {
    threads.splice(threads.indexOf(thread), 1);
    for (const [id, job] of pending) {
      if (job.thread !== thread) continue;
      pending.delete(id);
      job.reject(error);
    }
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the file thread stopped (exit code ${code})`)));
  threads.push(thread);
  return thread;
}

/** An idle thread, else a new one while under the cap, else the least busy. */
function threadFor(): Thread {
  let best: Thread | undefined;
  for (const thread of threads) if (best === undefined || thread.busy < best.busy) best = thread;
  return best !== undefined && (best.busy === 0 || threads.length >= MAX_THREADS) ? best : start();
}

function run<T>(request: FileRequest): Promise<T> {
  const thread = threadFor();
  if (thread.busy++ === 0) thread.worker.ref();
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { thread, resolve, reject });
    thread.worker.postMessage({ id, ...request });
  });
}

/**
 * Hashes a file's bytes with SHA-256 on a file thread; with `sync`, also flushes it to disk. With
 * `chunkBytes`, a larger file is not hashed: its size comes back instead.
 */
export function hashOnThread(path: string, sync: boolean): Promise<Digest>;
export function hashOnThread(path: string, sync: boolean, chunkBytes: number): Promise<Digest | TooLarge>;
export function hashOnThread(path: string, sync: boolean, chunkBytes?: number): Promise<Digest | TooLarge> {
  return run({ op: 'hash', path, sync, ...(chunkBytes === undefined ? {} : { chunkBytes }) });
}

/** The SHA-256 of bytes [start, end) of a file, on a file thread. */
export function hashRangeOnThread(path: string, start: number, end: number): Promise<Digest> {
  return run({ op: 'range', path, start, end });
}

/** Flushes a file to disk on a file thread. */
export function syncOnThread(path: string): Promise<null> {
  return run({ op: 'sync', path });
}

/**
 * Puts a written temporary file in place, on a file thread: hashes it, renames it to `target` and,
 * when `durable`, flushes the file before the rename and its directory after, so that a recorded
 * write survives a power loss. A file larger than `chunkBytes` stays where it is and its size comes
 * back: the caller hashes it in chunks, flushes it, and places it again with `hashed`. Errors carry
 * fs's `code` (ENOENT when `temp` was never written).
 */
export function placeOnThread(temp: string, target: string, durable: boolean, chunkBytes: number): Promise<Digest | TooLarge>;
export function placeOnThread(temp: string, target: string, durable: boolean, chunkBytes: number, hashed: true): Promise<null>;
export function placeOnThread(temp: string, target: string, durable: boolean, chunkBytes: number, hashed = false): Promise<Digest | TooLarge | null> {
  return run({ op: 'place', temp, target, durable, chunkBytes, hashed });
}
