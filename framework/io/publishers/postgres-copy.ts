import type { Writable } from 'node:stream';
import type pg from 'pg';

/** The COPY messages pg's connection sends (pg 8 has them; its type declarations leave them out). */
interface CopyMessages {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}
type CopyConnection = pg.Connection & CopyMessages;

/** A `COPY … FROM STDIN` to pass to pg's `client.query()`; `done` settles with the rows copied. */
export interface CopyIn extends pg.Submittable {
  readonly done: Promise<number>;
}

/**
 * `COPY … FROM STDIN` through pg's Client without pg-copy-streams: an object that pg runs like any
 * query (its "submittable" protocol, which pg-cursor and pg-query-stream use too). When PostgreSQL
 * answers CopyInResponse, it sends the chunks in order, waiting for the socket to drain between
 * them, so a large load is never held in memory. A chunk source that throws aborts the COPY with
 * CopyFail, and `done` rejects with that error; a PostgreSQL error, or the connection dropping,
 * rejects it too.
 *
 * @example
 * const copy = copyIn('copy t (a, b) from stdin', lines());
 * client.query(copy);
 * const rows = await copy.done;
 */
export function copyIn(sql: string, chunks: AsyncIterable<Buffer>): CopyIn {
  let resolve!: (rows: number) => void;
  let reject!: (error: Error) => void;
  const done = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let rows = 0;
  let failure: Error | undefined;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    if (failure) reject(failure);
    else resolve(rows);
  };

  async function pump(connection: CopyConnection): Promise<void> {
    try {
      for await (const chunk of chunks) {
        if (failure) return;
        connection.sendCopyFromChunk(chunk);
        if (connection.stream.writableNeedDrain) await drained(connection.stream);
      }
      if (!failure) connection.endCopyFrom();
    } catch (error) {
      if (failure) return;
      failure = error instanceof Error ? error : new Error(String(error));
      connection.sendCopyFail(failure.message);
    }
  }

  return {
    done,
    submit(connection: pg.Connection) {
      connection.query(sql);
    },
    handleCopyInResponse(connection: pg.Connection) {
      void pump(connection as CopyConnection);
    },
    handleCommandComplete(message: { text?: string }) {
      rows = Number(/^COPY (\d+)/.exec(message.text ?? '')?.[1] ?? 0);
    },
    // Sent after the COPY ends, well or badly: the query is over.
    handleReadyForQuery: settle,
    handleError(error: Error) {
      // A COPY that CopyFail aborted reports the reason it was aborted, not PostgreSQL's echo of it.
      failure ??= error;
      // Once the connection is gone no ReadyForQuery follows.
      settle();
    },
    handleEmptyQuery: () => undefined,
    handleRowDescription: () => undefined,
    handleDataRow: () => undefined,
    handlePortalSuspended: () => undefined,
    handleCopyData: () => undefined,
  } as CopyIn;
}

/** Resolves once the socket can take more, or is closed (a dropped connection never drains). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
