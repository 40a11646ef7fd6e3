import { DefinitionError } from '../util/errors.ts';
import type { CheckDefinition } from './check.ts';

/**
 * An asset's checks as given, once their names are known to be unique and every check a spec
 * `uses` is declared before it. Check results are stored and listed by name, so two checks of one
 * name would overwrite each other's history; the factories derive names from their options, so two
 * `unique(['exec_id'])` on one asset need a `name` each.
 */
export function validateChecks(where: string, asset: string, checks: readonly CheckDefinition[]): readonly CheckDefinition[] {
  const seen = new Set<string>();
  for (const [index, { spec }] of checks.entries()) {
    if (seen.has(spec.name)) {
      throw new DefinitionError('invalid-definition', `${where}: field "checks.${index}": two checks are named "${spec.name}"; give one a name of its own`, {
        asset,
        field: `checks.${index}`,
      });
    }
    for (const used of spec.uses ?? []) {
      if (!seen.has(used)) {
        const later = checks.some((check) => check.spec.name === used);
        throw new DefinitionError(
          'invalid-definition',
          `${where}: field "checks.${index}": check "${spec.name}" uses check "${used}", which ${later ? 'must be declared before it' : 'the asset does not have'}`,
          { asset, field: `checks.${index}` },
        );
      }
    }
    seen.add(spec.name);
  }
  return Object.freeze([...checks]);
}
