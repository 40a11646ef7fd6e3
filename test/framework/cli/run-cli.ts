import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../framework/cli/main.ts';

/** A fresh state directory and an empty landing directory for the CLI of this test file. */
export function isolateCli(): { home: string; landing: string } {
  const root = mkdtempSync(join(tmpdir(), 'daybook-cli-'));
  process.env.DAYBOOK_HOME = join(root, 'home');
  process.env.DAYBOOK_LANDING = join(root, 'landing');
  return { home: process.env.DAYBOOK_HOME, landing: process.env.DAYBOOK_LANDING };
}

/** Runs the CLI in-process with captured output; `now` fixes the clock. */
export async function runCli(args: string[], now = Date.UTC(2026, 10, 22, 12)): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  stderr.on('data', (chunk) => err.push(String(chunk)));
  const code = await main(args, { stdout, stderr, now: () => now });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
