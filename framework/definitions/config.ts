import type { Calendar } from '../partitions/calendar.ts';
import { DefinitionError } from '../util/errors.ts';
import type { Definitions } from './definitions.ts';

/** Limits on how steps run. */
export interface ExecutionConfig {
  /** Steps run at once; default 4. */
  readonly concurrency: number;
  /** Attempts per step, the first included; default 3. */
  readonly attempts: number;
  /** First retry delay; later ones double, with jitter; default 1000. */
  readonly retryDelayMs: number;
  /** Per attempt; 0 for none; default 0. */
  readonly timeoutMs: number;
}

/** What `daybook demo` does before it materializes: e.g. generate the example's landing files. */
export type DemoPrepare = (context: { landing: string; now: number; log: (line: string) => void }) => Promise<void>;

/** A project's configuration, the default export of `daybook.config.ts`. */
export interface DaybookConfig {
  readonly definitions: Definitions;
  /** Market calendars, for `daybook calendar <MIC>` and for schedules; looked up by name. */
  readonly calendars: readonly Calendar[];
  /** The directory source patterns are relative to; default `landing`. */
  readonly landing: string;
  readonly execution: ExecutionConfig;
  readonly demo: DemoPrepare | undefined;
}

export interface ConfigInput {
  definitions: Definitions;
  calendars?: readonly Calendar[];
  landing?: string;
  execution?: Partial<ExecutionConfig>;
  demo?: DemoPrepare;
}

/**
 * Declares the project's configuration. Instances are passed in; nothing is registered by name.
 *
 * @example
 * export default defineConfig({ definitions: defineDefinitions(northbridge), calendars: [xnys()], landing: 'landing' });
 */
export function defineConfig({ definitions, calendars = [], landing = 'landing', execution = {}, demo }: ConfigInput): DaybookConfig {
  const names = new Set<string>();
  for (const calendar of calendars) {
    if (names.has(calendar.name)) throw invalid('calendars', `two calendars are named ${calendar.name}`);
    names.add(calendar.name);
  }
  const limits = { concurrency: 4, attempts: 3, retryDelayMs: 1000, timeoutMs: 0, ...execution };
  for (const [field, value] of Object.entries(limits)) {
    const minimum = field === 'concurrency' || field === 'attempts' ? 1 : 0;
    if (!Number.isInteger(value) || value < minimum) throw invalid(`execution.${field}`, `expected an integer ≥ ${minimum}, got ${value}`);
  }
  return Object.freeze({ definitions, calendars: Object.freeze([...calendars]), landing, execution: Object.freeze(limits), demo });
}

function invalid(field: string, message: string): DefinitionError {
  return new DefinitionError('invalid-config', `config: field "${field}": ${message}`, { field });
}
