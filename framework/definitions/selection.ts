import { DefinitionError } from '../util/errors.ts';
import type { Definitions } from './definitions.ts';

/**
 * Resolves a selection to asset ids in topological order. Terms, joined by commas for a union:
 * `key` (a `*` inside matches any characters), `+key` (with everything upstream), `key+` (with
 * everything downstream), `group:NAME`, `tag:K=V` or `tag:K`, and `*` for all assets.
 *
 * @example
 * selectAssets(defs, 'northbridge/executions+,group:reference'); // ids of the matched assets
 */
export function selectAssets(definitions: Definitions, selection = '*'): number[] {
  const chosen = new Set<number>();
  const terms = selection.split(',').map((term) => term.trim());
  for (const term of terms) {
    if (term === '') throw invalidSelection(selection, 'an empty term');
    for (const id of resolveTerm(definitions, term)) chosen.add(id);
  }
  return [...chosen].sort((a, b) => a - b);
}

function resolveTerm(definitions: Definitions, term: string): Iterable<number> {
  if (term === '*') return definitions.assets.map((_, id) => id);
  if (term.startsWith('group:')) {
    const group = term.slice('group:'.length);
    return nonEmpty(term, idsWhere(definitions, (asset) => asset.group === group));
  }
  if (term.startsWith('tag:')) {
    const [name, value] = term.slice('tag:'.length).split('=', 2) as [string, string | undefined];
    return nonEmpty(term, idsWhere(definitions, (asset) => name in asset.tags && (value === undefined || asset.tags[name] === value)));
  }
  const withUpstream = term.startsWith('+');
  const withDownstream = term.endsWith('+');
  const pattern = term.slice(withUpstream ? 1 : 0, withDownstream ? -1 : undefined);
  if (!/^[a-z0-9_*/-]+$/.test(pattern)) throw invalidSelection(term, `malformed term "${term}"`);
  const roots = pattern.includes('*')
    ? nonEmpty(term, idsWhere(definitions, (asset) => globToRegExp(pattern).test(asset.key)))
    : [definitions.idOf(pattern)];
  const result = new Set(roots);
  if (withUpstream) walk(roots, (id) => definitions.depsOf(id).map((edge) => edge.upstream), result);
  if (withDownstream) walk(roots, (id) => definitions.dependentsOf(id).map((edge) => edge.downstream), result);
  return result;
}

function walk(roots: readonly number[], next: (id: number) => readonly number[], into: Set<number>): void {
  const stack = [...roots];
  while (stack.length > 0) {
    for (const id of next(stack.pop()!)) {
      if (!into.has(id)) {
        into.add(id);
        stack.push(id);
      }
    }
  }
}

function idsWhere(definitions: Definitions, test: (asset: Definitions['assets'][number]) => boolean): number[] {
  return definitions.assets.flatMap((asset, id) => (test(asset) ? [id] : []));
}

function nonEmpty(term: string, ids: number[]): number[] {
  if (ids.length === 0) throw invalidSelection(term, `"${term}" matches no asset`);
  return ids;
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&')).join('.*')}$`);
}

function invalidSelection(selection: string, what: string): DefinitionError {
  return new DefinitionError(
    'invalid-selection',
    `invalid selection "${selection}": ${what}; use key, +key, key+, group:NAME, tag:K=V, * and commas`,
    { field: 'selection' },
  );
}
