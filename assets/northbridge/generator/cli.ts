// Writes NorthBridge landing data from the command line:
//   npx tsx assets/northbridge/generator/cli.ts --root landing --from 2026-11-16 --to 2026-11-20 [--scale N] [--seed N] [--resend 2026-11-20:GSCO]
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTicks } from './execution-record.ts';
import type { ControlTotals } from './execution-record.ts';
import { generateLanding, type LandedFile } from './landing.ts';
import { resendCorrected } from './resend.ts';

const USAGE = 'usage: cli.ts --root DIR [--from YYYY-MM-DD --to YYYY-MM-DD] [--scale N] [--seed N] [--resend YYYY-MM-DD:BROKER ...]';

/** Runs the generator with `argv` (without node and the script), printing one line per file; returns the exit code. */
export async function main(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      root: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      scale: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      resend: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (!values.root || (values.from === undefined) !== (values.to === undefined) || (!values.from && values.resend.length === 0)) {
    throw new Error(USAGE);
  }
  const root = values.root;
  const seed = Number(values.seed);
  const started = performance.now();
  if (values.from && values.to) {
    let executions = 0;
    const summary = await generateLanding({
      root,
      from: values.from,
      to: values.to,
      scale: Number(values.scale),
      seed,
      onFile: (file) => {
        executions += file.kind === 'executions' ? file.rows : 0;
        print(describeFile(root, file));
      },
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    print(`${summary.sessions.length} sessions, ${summary.files.length} files, ${executions.toLocaleString('en-US')} execution records in ${seconds} s`);
  }
  for (const resend of values.resend) {
    const [date, broker] = resend.split(':');
    if (!date || !broker) throw new Error(`--resend ${resend}: expected YYYY-MM-DD:BROKER, e.g. 2026-11-20:GSCO`);
    const result = await resendCorrected({ root, date, broker, seed });
    print(
      `re-sent ${result.path}  ${result.records} records (${result.amended} amended, ${result.cancelled} cancelled)  control ${control(result.before)} -> ${control(result.control)}`,
    );
  }
  return 0;
}

function describeFile(root: string, file: LandedFile): string {
  const what = file.control ? `${file.rows} records  control ${control(file.control)}` : `${file.rows} rows`;
  return `wrote ${join(root, file.path)}  ${what}`;
}

function control(totals: ControlTotals): string {
  return `${totals.count} executions / ${formatTicks(totals.notionalTicks)} notional`;
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
