import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ContentHash } from './content-hash.ts';

type FileRequest = { op: 'hash'; path: string; sync: boolean } | { op: 'place'; temp: string; target: string; durable: boolean };

interface Thread {
  readonly worker: Worker;
  busy: number;
}

interface Pending {
  readonly thread: Thread;
  readonly resolve: (result: ContentHash) => void;
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
  worker.on('message', ({ id, result, error }: { id: number; result?: ContentHash; error?: { message: string; code?: string; path?: string } }) => {
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

function run(request: FileRequest): Promise<ContentHash> {
  const thread = threadFor();
  if (thread.busy++ === 0) thread.worker.ref();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { thread, resolve, reject });
    thread.worker.postMessage({ id, ...request });
  });
}

/** Hashes a file's bytes with SHA-256 on a file thread; with `sync`, also flushes it to disk. */
export function hashOnThread(path: string, sync: boolean): Promise<ContentHash> {
  return run({ op: 'hash', path, sync });
}

/**
 * Puts a written temporary file in place, on a file thread: hashes it, renames it to `target` and,
 * when `durable`, flushes the file before the rename and its directory after, so that a recorded
 * write survives a power loss. Errors carry fs's `code` (ENOENT when `temp` was never written).
 */
export function placeOnThread(temp: string, target: string, durable: boolean): Promise<ContentHash> {
  return run({ op: 'place', temp, target, durable });
}
