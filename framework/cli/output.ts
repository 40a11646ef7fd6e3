import type { Writable } from 'node:stream';
import type { DaybookConfig } from '../definitions/config.ts';

/** Where a command writes; tests pass their own streams. */
export interface CommandIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The current time for commands that need "now" (epoch ms). */
  now(): number;
}

/** Writes and waits for the stream to drain, so that a large output never piles up in memory. */
export async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

/** Formats rows as an aligned text table with a header. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** What every command gets: the config loader, the streams and a way to set the exit code. */
export interface CommandContext {
  load(): Promise<DaybookConfig>;
  readonly io: CommandIO;
  /** The process exit code, e.g. 1 when a step failed. */
  setExitCode(code: number): void;
}
