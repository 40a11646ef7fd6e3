import { z } from 'zod';
import type { PartitionsDefinition } from '../partitions/definition.ts';
import type { PartitionMapping } from '../partitions/mapping.ts';
import { ASSET_KEY_FORMAT, isAssetKey, relationNameOf } from './asset-key.ts';
import type { AutomationCondition } from './automation-condition.ts';
import type { CheckDefinition } from './check.ts';
import { validateChecks } from './check-list.ts';
import type { Compute } from './compute.ts';
import type { DependencyInput, DependencySpec } from './dependency.ts';
import type { PublishTarget } from './publish-target.ts';
import { slaSpecSchema, type SlaSpec } from './sla.ts';
import { parseSpec } from './validation.ts';
import { DefinitionError } from '../util/errors.ts';
import { unpartitioned } from '../partitions/definitions/unpartitioned.ts';

/** Where a source's files land, e.g. `landing/executions/{broker}/{date}.csv`. */
export interface SourceLocation {
  /** Path pattern relative to the landing directory; `{dimension}` placeholders (or `{partition}`) are filled per partition. */
  readonly pattern: string;
  /** The file format; undefined when the pattern ends in `.*` and each file's extension tells. */
  readonly format: 'csv' | 'jsonl' | 'parquet' | undefined;
}

/** An asset or an observed source, validated and frozen. */
export interface AssetDefinition {
  readonly kind: 'asset' | 'source';
  readonly key: string;
  readonly description: string;
  readonly group: string;
  readonly owners: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly partitions: PartitionsDefinition;
  readonly deps: readonly DependencySpec[];
  readonly codeVersion: string | undefined;
  readonly compute: Compute | undefined;
  readonly checks: readonly CheckDefinition[];
  readonly publish: readonly PublishTarget[];
  readonly sla: SlaSpec | undefined;
  /** Assets only: the declarative condition under which the daemon requests partitions (docs/automation.md). */
  readonly automation: AutomationCondition | undefined;
  /** Sources only: where their files land. */
  readonly location: SourceLocation | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const partitionsSchema = z.custom<PartitionsDefinition>(
  (value) => isObject(value) && typeof value.indexOf === 'function' && typeof value.keyAt === 'function' && 'spec' in value,
  'expected a partitions definition (sessions(), timeWindows(), staticKeys(), dynamicKeys() or multi())',
);
const mappingSchema = z.custom<PartitionMapping>(
  (value) => isObject(value) && typeof value.bind === 'function' && 'spec' in value,
  'expected a partition mapping (identity(), previousSession(), window(), …)',
);
const assetKeySchema = z.string().refine(isAssetKey, `malformed asset key; expected ${ASSET_KEY_FORMAT}`);
const relationSchema = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a SQL identifier of a-z, 0-9 and _');
const dependencySchema = z.union([
  assetKeySchema,
  z.object({ asset: assetKeySchema, mapping: mappingSchema.optional(), as: relationSchema.optional() }).strict(),
]);
const checkSchema = z.custom<CheckDefinition>(
  (value) => isObject(value) && isObject(value.spec) && typeof value.spec.name === 'string' && typeof value.evaluate === 'function',
  'expected a check (rowCount(), notNull(), …)',
);
const publishSchema = z.custom<PublishTarget>(
  (value) => isObject(value) && typeof value.name === 'string' && typeof value.publish === 'function',
  'expected a publish target (warehouse(), postgresTable(), …)',
);
const automationSchema = z.custom<AutomationCondition>(
  (value) => isObject(value) && isObject(value.spec) && typeof value.label === 'string' && typeof value.evaluate === 'function' && typeof value.explain === 'function',
  'expected an automation condition (eager(), onCron(), onMissing(), whenUpstreamChanged(), and(), or(), not(), since())',
);
const nameSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lower-case a-z, 0-9, _ and -');

const commonShape = {
  key: assetKeySchema,
  description: z.string().default(''),
  group: nameSchema.optional(),
  owners: z.array(z.string().min(1)).default([]),
  tags: z.record(z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'tag names are lower-case'), z.string()).default({}),
  partitions: partitionsSchema.optional(),
  checks: z.array(checkSchema).default([]),
};

const assetSchema = z
  .object({
    ...commonShape,
    deps: z.array(dependencySchema).default([]),
    codeVersion: z.string().min(1).optional(),
    compute: z.union([z.string().min(1), z.custom<(context: never) => unknown>((v) => typeof v === 'function')]).optional(),
    publish: z.array(publishSchema).default([]),
    sla: slaSpecSchema.optional(),
    automation: automationSchema.optional(),
  })
  .strict();

const sourceSchema = z
  .object({
    ...commonShape,
    location: z
      .object({
        pattern: z
          .string()
          .min(1)
          .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path without ".."'),
        format: z.enum(['csv', 'jsonl', 'parquet']).optional(),
      })
      .strict(),
  })
  .strict();

/** The input of `defineAsset()`. */
export type AssetInput = z.input<typeof assetSchema> & {
  deps?: readonly DependencyInput[];
  compute?: Compute;
  checks?: readonly CheckDefinition[];
};

/** The input of `defineSource()`. */
export type SourceInput = z.input<typeof sourceSchema> & { checks?: readonly CheckDefinition[] };

/**
 * Declares an asset: a partitioned dataset computed from its deps.
 *
 * @example
 * const pnl = defineAsset({
 *   key: 'northbridge/pnl',
 *   partitions: sessions(xnys(), { start: '2026-01-02' }),
 *   deps: ['northbridge/positions', 'northbridge/prices'],
 *   compute: 'select …',
 * });
 */
export function defineAsset(input: AssetInput): AssetDefinition {
  const where = describe('asset', input);
  const spec = parseSpec(assetSchema, input, where, keyOf(input));
  return Object.freeze({
    kind: 'asset' as const,
    key: spec.key,
    description: spec.description,
    group: spec.group ?? defaultGroup(spec.key),
    owners: Object.freeze([...spec.owners]),
    tags: Object.freeze({ ...spec.tags }),
    partitions: spec.partitions ?? unpartitioned,
    deps: Object.freeze(
      spec.deps.map((dep) =>
        Object.freeze(
          typeof dep === 'string'
            ? { asset: dep, mapping: undefined, as: relationNameOf(dep) }
            : { asset: dep.asset, mapping: dep.mapping, as: dep.as ?? relationNameOf(dep.asset) },
        ),
      ),
    ),
    codeVersion: spec.codeVersion,
    compute: spec.compute as Compute | undefined,
    checks: validateChecks(where, spec.key, spec.checks),
    publish: Object.freeze([...spec.publish]),
    sla: spec.sla ? Object.freeze({ ...spec.sla }) : undefined,
    automation: spec.automation,
    location: undefined,
  });
}

/**
 * Declares a source: external data Daybook observes but does not produce, such as broker files.
 *
 * @example
 * const executions = defineSource({
 *   key: 'northbridge/broker-executions',
 *   partitions: multi({ date: sessions(xnys(), { start: '2026-01-02' }), broker: staticKeys(['GSCO', 'MSCO']) }),
 *   location: { pattern: 'executions/{broker}/{date}.csv' },
 * });
 */
export function defineSource(input: SourceInput): AssetDefinition {
  const where = describe('source', input);
  const spec = parseSpec(sourceSchema, input, where, keyOf(input));
  const partitions = spec.partitions ?? unpartitioned;
  const pattern = spec.location.pattern;
  const format = spec.location.format ?? formatOf(pattern);
  if (!format && !pattern.endsWith('.*')) {
    return invalidLocation(
      where,
      spec.key,
      `cannot tell the format of "${pattern}"; end it in .csv, .jsonl or .parquet, in .* to go by each file's extension, or give location.format`,
    );
  }
  const allowed = new Set<string>(partitions.dimensions?.map((d) => d.name) ?? (partitions.spec.kind === 'unpartitioned' ? [] : ['partition', 'date']));
  for (const [, placeholder] of pattern.matchAll(/\{([^}]*)\}/g)) {
    if (!allowed.has(placeholder!)) {
      return invalidLocation(
        where,
        spec.key,
        `placeholder {${placeholder}} in "${pattern}" is not a partition dimension (expected one of: ${[...allowed].join(', ') || 'none'})`,
      );
    }
  }
  return Object.freeze({
    kind: 'source' as const,
    key: spec.key,
    description: spec.description,
    group: spec.group ?? defaultGroup(spec.key),
    owners: Object.freeze([...spec.owners]),
    tags: Object.freeze({ ...spec.tags }),
    partitions,
    deps: Object.freeze([]),
    codeVersion: undefined,
    compute: undefined,
    checks: validateChecks(where, spec.key, spec.checks),
    publish: Object.freeze([]),
    sla: undefined,
    automation: undefined,
    location: Object.freeze({ pattern, format }),
  });
}

function invalidLocation(where: string, asset: string, message: string): never {
  throw new DefinitionError('invalid-definition', `${where}: field "location.pattern": ${message}`, {
    asset,
    field: 'location.pattern',
  });
}

function formatOf(pattern: string): SourceLocation['format'] | undefined {
  if (pattern.endsWith('.csv')) return 'csv';
  if (pattern.endsWith('.jsonl') || pattern.endsWith('.ndjson')) return 'jsonl';
  if (pattern.endsWith('.parquet')) return 'parquet';
  return undefined;
}

function defaultGroup(key: string): string {
  return key.includes('/') ? key.slice(0, key.indexOf('/')) : 'default';
}

function keyOf(input: unknown): string | undefined {
  return isObject(input) && typeof input.key === 'string' ? input.key : undefined;
}

function describe(kind: string, input: unknown): string {
  const key = keyOf(input);
  return key ? `${kind} "${key}"` : `${kind} (no valid key)`;
}
