import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { DaybookConfig } from '../definitions/config.ts';
import type { AutomationConfig } from '../automation/automation-config.ts';
import type { Engine } from '../executor/engine.ts';

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
  /** The config file's `automation` export (schedules, sensors, alerts), or the defaults. */
  loadAutomation(): Promise<AutomationConfig>;
  readonly io: CommandIO;
  /** The process exit code, e.g. 1 when a step failed. */
  setExitCode(code: number): void;
  /** Serves the engine over HTTP until stopped, when the CLI was given a server (see CliExtensions). */
  readonly serve: ServeHook | undefined;
}

/** Serves an open engine until the process is told to stop (Ctrl-C, SIGTERM); the server supplies it. */
export type ServeHook = (engine: Engine, options: { config: DaybookConfig; automation?: AutomationConfig; io: CommandIO; port?: number; host?: string }) => Promise<void>;

/** Adds commands to the `daybook` program, e.g. the server's `serve` and `token`. */
export type CommandRegistration = (program: Command, context: CommandContext) => void;

/**
 * What code outside framework/ adds to the CLI: framework/ never imports server/, so bin/daybook.js
 * passes the server's commands and its serve hook to `main()`.
 */
export interface CliExtensions {
  readonly commands?: readonly CommandRegistration[];
  readonly serve?: ServeHook;
}
