// Writes PixelForge landing data from the command line:
//   npx tsx assets/pixelforge/generator/cli.ts --root landing --from 2026-11-20 --to 2026-11-21 [--scale N] [--seed N] [--late N] [--deliver-late]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deliverLate, generateUploads, type LandedFile } from './landing.ts';

const USAGE = 'usage: cli.ts --root DIR --from YYYY-MM-DD --to YYYY-MM-DD [--scale N] [--seed N] [--late N] [--deliver-late]';

/** Runs the generator with `argv` (without node and the script), printing a line per control file and a total; returns the exit code. */
export async function main(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      root: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      scale: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      late: { type: 'string', default: '0' },
      'deliver-late': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (!values.root || !values.from || !values.to) throw new Error(USAGE);
  const options = { root: values.root, from: values.from, to: values.to, scale: Number(values.scale), seed: Number(values.seed), late: Number(values.late) };
  const started = performance.now();
  if (values['deliver-late']) {
    const files = await deliverLate(options);
    for (const file of files) print(`delivered ${describe(values.root, file)}`);
    print(`${files.length} manifests re-sent with their late lines`);
    return 0;
  }
  let manifests = 0;
  const summary = await generateUploads({
    ...options,
    onFile: (file) => {
      if (file.kind === 'manifest') manifests++;
      else print(`wrote ${describe(values.root!, file)}`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const late = [...summary.held.values()].flat().length;
  print(
    `${summary.days.length} days, ${manifests} manifests, ${summary.uploads.length.toLocaleString('en-US')} uploads` +
      `${late > 0 ? ` (${late} held back: --deliver-late lands them)` : ''} in ${seconds} s`,
  );
  return 0;
}

function describe(root: string, file: LandedFile): string {
  return `${join(root, file.path)}  ${file.rows} ${file.kind === 'manifest' ? 'lines' : 'rows'}`;
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
