import { PassThrough } from 'node:stream';
import { main } from '../../../framework/cli/main.ts';

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
