import { relative, resolve, sep } from 'node:path';
import type { AssetDefinition } from '../../definitions/asset.ts';
import type { SourceObserver } from '../../io/source-observer.ts';
import { partitionValues, SINGLE_DIMENSION } from '../../io/partition-values.ts';
import { DefinitionError } from '../../util/errors.ts';

/** A file name turned back into a source partition, or why it cannot be one. */
export type PatternMatch =
  | { readonly source: AssetDefinition; readonly partition: string; readonly problem?: undefined }
  | { readonly problem: string };

/** The location patterns of some sources, inverted: from a path under the landing directory to a source partition. */
export interface SourcePatterns {
  /** Directories (relative to the landing directory, `''` for itself) that hold every matching file; none inside another. */
  readonly roots: readonly string[];
  /** The source partition a relative path (with `/` separators) names; a problem when it names none. */
  match(path: string): PatternMatch;
}

interface Compiled {
  readonly source: AssetDefinition;
  readonly regex: RegExp;
  /** The dimension each capture group fills, in group order. */
  readonly names: readonly string[];
}

/**
 * Inverts the location patterns of sources (`executions/{broker}/{date}.csv`): a file's path gives
 * the placeholders' values, which give the partition key. The key is then validated against the
 * source's partitions definition, and filled back into the pattern by the observer, which must give
 * the same path, so a sensor only reports files the observer will read.
 *
 * @example
 * const patterns = sourcePatterns([executions], engine.observer);
 * patterns.match('executions/GSCO/2026-11-20.csv'); // { source: executions, partition: '2026-11-20|GSCO' }
 */
export function sourcePatterns(sources: readonly AssetDefinition[], observer: SourceObserver): SourcePatterns {
  const compiled = sources.map(compile);
  const landing = resolve(observer.landing);
  const roots = [...new Set(sources.map((source) => rootOf(source.location!.pattern)))].sort();
  const outermost = roots.filter((root) => !roots.some((other) => other !== root && (other === '' || root.startsWith(`${other}/`))));

  const match = (path: string): PatternMatch => {
    let problem: string | undefined;
    for (const { source, regex, names } of compiled) {
      const found = regex.exec(path);
      if (!found) continue;
      const values = new Map(names.map((name, k) => [name, found[k + 1]!]));
      const partition = keyOf(source, values);
      try {
        partitionValues(source, partition);
        const expected = relative(landing, resolve(observer.expectedPath(source, partition))).split(sep).join('/');
        const same = expected.endsWith('.*') ? path.startsWith(expected.slice(0, -1)) && !path.slice(expected.length - 1).includes('/') : expected === path;
        if (same) return { source, partition };
        problem = `names partition ${JSON.stringify(partition)} of source "${source.key}", whose file is ${expected}`;
      } catch (error) {
        problem = `is not a partition of source "${source.key}" (${source.location!.pattern}): ${(error as Error).message}`;
      }
    }
    return { problem: problem ?? `matches no source pattern (${sources.map((source) => source.location!.pattern).join(', ')})` };
  };

  return { roots: outermost, match };
}

/** The directory part of a pattern before its first placeholder. */
function rootOf(pattern: string): string {
  const literal = pattern.slice(0, firstWildcard(pattern));
  const slash = literal.lastIndexOf('/');
  return slash < 0 ? '' : literal.slice(0, slash);
}

function firstWildcard(pattern: string): number {
  const brace = pattern.indexOf('{');
  const star = pattern.endsWith('.*') ? pattern.length - 1 : -1;
  return Math.min(...[brace, star, pattern.length].filter((at) => at >= 0));
}

function compile(source: AssetDefinition): Compiled {
  const pattern = source.location!.pattern;
  const names: string[] = [];
  let regex = '';
  const body = pattern.endsWith('.*') ? pattern.slice(0, -2) : pattern;
  for (const [k, part] of body.split(/(\{[^}]*\})/).entries()) {
    if (k % 2 === 0) {
      regex += escape(part);
      continue;
    }
    const name = part.slice(1, -1);
    const earlier = names.indexOf(name);
    // A placeholder used twice must have the same value both times.
    if (earlier >= 0) regex += `\\${earlier + 1}`;
    else {
      names.push(name);
      regex += '([^/]+)';
    }
  }
  if (pattern.endsWith('.*')) regex += '\\.[^/.]+';
  const needed = dimensionNames(source);
  const lacking = needed.filter((name) => !names.includes(name) && !(name === SINGLE_DIMENSION && names.includes('date')));
  if (lacking.length > 0) {
    throw new DefinitionError(
      'invalid-definition',
      `source "${source.key}": its pattern "${pattern}" has no {${lacking.join('}, {')}}, so a sensor cannot tell a file's partition`,
      { asset: source.key, field: 'location.pattern' },
    );
  }
  return { source, regex: new RegExp(`^${regex}$`), names };
}

function dimensionNames(source: AssetDefinition): string[] {
  if (source.partitions.spec.kind === 'unpartitioned') return [];
  return source.partitions.dimensions?.map((dimension) => dimension.name) ?? [SINGLE_DIMENSION];
}

function keyOf(source: AssetDefinition, values: ReadonlyMap<string, string>): string {
  const dimensions = source.partitions.dimensions;
  if (source.partitions.spec.kind === 'unpartitioned') return '';
  if (dimensions === undefined) return values.get(SINGLE_DIMENSION) ?? values.get('date')!;
  return dimensions.map((dimension) => values.get(dimension.name)!).join('|');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

