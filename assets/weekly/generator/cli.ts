// Writes the weekly quality job's landing data from the command line:
//   npx tsx assets/weekly/generator/cli.ts --root landing --from 2026-11-15 --to 2026-11-21 [--scale N] [--seed N]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateWeeklyLanding } from './landing.ts';

const USAGE = 'usage: cli.ts --root DIR --from YYYY-MM-DD --to YYYY-MM-DD [--scale N] [--seed N]';

/** Runs the generator with `argv` (without node and the script), printing a line per scan file and a total; returns the exit code. */
export async function main(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      root: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      scale: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (!values.root || !values.from || !values.to) throw new Error(USAGE);
  const root = values.root;
  const started = performance.now();
  let windows = 0;
  const summary = await generateWeeklyLanding({
    root,
    from: values.from,
    to: values.to,
    scale: Number(values.scale),
    seed: Number(values.seed),
    onFile: (file) => {
      if (file.kind === 'requests') windows++;
      else print(`wrote ${join(root, file.path)}  ${file.rows} scans`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  print(`${summary.days.length} days, ${windows} request windows, ${summary.requests.length.toLocaleString('en-US')} requests in ${seconds} s`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
