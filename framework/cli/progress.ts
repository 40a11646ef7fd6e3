import type { Writable } from 'node:stream';

/**
 * Shows progress of long work: a redrawn bar on a terminal, one plain line per finished item
 * otherwise (CI logs), nothing when quiet.
 */
export class Progress {
  readonly #stream: Writable & { isTTY?: boolean; columns?: number };
  readonly #quiet: boolean;
  #total = 0;
  #done = 0;
  #lastDraw = 0;

  constructor(stream: Writable, { quiet = false }: { quiet?: boolean } = {}) {
    this.#stream = stream;
    this.#quiet = quiet;
  }

  start(total: number): void {
    this.#total = total;
    this.#done = 0;
  }

  /** One item finished; `label` says which and how it ended. */
  tick(label: string): void {
    this.#done++;
    if (this.#quiet) return;
    if (!this.#stream.isTTY) {
      this.#stream.write(`[${this.#done}/${this.#total}] ${label}\n`);
      return;
    }
    const now = Date.now();
    if (this.#done < this.#total && now - this.#lastDraw < 50) return;
    this.#lastDraw = now;
    const width = 30;
    const filled = this.#total === 0 ? width : Math.round((this.#done / this.#total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#done}/${this.#total} ${label}`;
    this.#stream.write(`\r${line.slice(0, (this.#stream.columns ?? 120) - 1).padEnd((this.#stream.columns ?? 120) - 1)}`);
  }

  finish(): void {
    if (!this.#quiet && this.#stream.isTTY && this.#total > 0) this.#stream.write('\n');
  }
}
