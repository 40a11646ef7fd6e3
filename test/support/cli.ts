import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../framework/cli/main.ts';
import { migratedPgliteStore } from './pglite-template.ts';

/** The CLI's state and landing directories of one test file. */
export interface CliDirectories {
  readonly root: string;
  /** `DAYBOOK_HOME`: the PGlite store in `store/`, partitions in `storage/`. */
  readonly home: string;
  /** `DAYBOOK_LANDING`. */
  readonly landing: string;
  remove(): Promise<void>;
}

/**
 * Points the CLI of this test file (a worker of its own) at fresh directories: sets `DAYBOOK_HOME`
 * and `DAYBOOK_LANDING`, and puts a migrated store in the home. Call it before the first command,
 * since the project config reads `DAYBOOK_LANDING` when it is first imported. `DAYBOOK_DATABASE_URL`
 * is cleared, so the CLI never writes into a developer's database.
 */
export async function isolateCliState(prefix: string): Promise<CliDirectories> {
  const root = await mkdtemp(join(tmpdir(), `daybook-${prefix}-`));
  const home = join(root, 'home');
  const landing = join(root, 'landing');
  await migratedPgliteStore(join(home, 'store'));
  process.env.DAYBOOK_HOME = home;
  process.env.DAYBOOK_LANDING = landing;
  delete process.env.DAYBOOK_DATABASE_URL;
  return { root, home, landing, remove: () => rm(root, { recursive: true, force: true }) };
}

/** The time the CLI tests run at: Sunday 2026-11-22, after the sessions of 16 to 20 November. */
export const CLI_NOW = Date.UTC(2026, 10, 22, 12);

/** Runs `daybook <args>` in this process with captured output. */
export async function runCli(args: readonly string[], now = CLI_NOW): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  stderr.on('data', (chunk) => err.push(String(chunk)));
  const code = await main(args, { stdout, stderr, now: () => now });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
