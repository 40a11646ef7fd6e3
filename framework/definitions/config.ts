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

/** Audit retention (docs/audit.md). */
export interface AuditConfig {
  /** Days the hot store keeps audit events and run details once they are exported and verified; default 400. */
  readonly retentionDays: number;
  /**
   * Where `daybook audit export` writes: `s3://bucket/prefix`, `file:///path` or a directory. Default:
   * `_audit/` inside partition storage (`DAYBOOK_STORAGE_URL`, else `<home>/storage`). `DAYBOOK_AUDIT_ARCHIVE_URL` overrides it.
   */
  readonly archive: string | undefined;
}

/** A project's configuration, the default export of `daybook.config.ts`. */
export interface DaybookConfig {
  readonly definitions: Definitions;
  /** Market calendars, for `daybook calendar <MIC>` and for schedules; looked up by name. */
  readonly calendars: readonly Calendar[];
  /** The directory source patterns are relative to; default `landing`. */
  readonly landing: string;
  readonly execution: ExecutionConfig;
  readonly demo: DemoPrepare | undefined;
  /** Where OpenLineage events go (`http://host:port`, `file:/path/events.jsonl`, or off when unset); `DAYBOOK_OPENLINEAGE_URL` overrides it. */
  readonly openLineageUrl: string | undefined;
  readonly audit: AuditConfig;
}

export interface ConfigInput {
  definitions: Definitions;
  calendars?: readonly Calendar[];
  landing?: string;
  execution?: Partial<ExecutionConfig>;
  demo?: DemoPrepare;
  openLineageUrl?: string;
  audit?: Partial<AuditConfig>;
}

/**
 * Declares the project's configuration. Instances are passed in; nothing is registered by name.
 *
 * @example
 * export default defineConfig({ definitions: defineDefinitions(northbridge), calendars: [xnys()], landing: 'landing' });
 */
export function defineConfig({ definitions, calendars = [], landing = 'landing', execution = {}, demo, openLineageUrl, audit = {} }: ConfigInput): DaybookConfig {
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
  const retention = { retentionDays: 400, archive: undefined, ...audit };
  if (!Number.isInteger(retention.retentionDays) || retention.retentionDays < 1) {
    throw invalid('audit.retentionDays', `expected a whole number of days ≥ 1, got ${retention.retentionDays}`);
  }
  if (openLineageUrl !== undefined && typeof openLineageUrl !== 'string') throw invalid('openLineageUrl', 'expected a URL string');
  return Object.freeze({
    definitions,
    calendars: Object.freeze([...calendars]),
    landing,
    execution: Object.freeze(limits),
    demo,
    openLineageUrl,
    audit: Object.freeze(retention),
  });
}

function invalid(field: string, message: string): DefinitionError {
  return new DefinitionError('invalid-config', `config: field "${field}": ${message}`, { field });
}
