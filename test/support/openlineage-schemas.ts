// Offline validation of OpenLineage events against the schemas vendored in spec/openlineage (never
// ../shared, which a clean clone does not have). Each facet schema refers to the core by its $id,
// so every file is added under its own $id and nothing is fetched.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

// Both are CommonJS modules whose types declare an ES default export: under Node's ESM the class
// and the function are the module's `default` property.
const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;

const SPEC = fileURLToPath(new URL('../../spec/openlineage/', import.meta.url));
const RUN_EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
for (const file of readdirSync(SPEC).filter((name) => name.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(SPEC + file, 'utf8')));

type Facets = Record<string, { _schemaURL?: string } & Record<string, unknown>> | undefined;

/**
 * Validates a RunEvent against `#/$defs/RunEvent` (not the top level, which a run event without a
 * run would pass as a JobEvent) and every facet against the schema its `_schemaURL` names. Returns
 * the problems, each naming where; empty when the event is valid.
 */
export function runEventProblems(event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const check = (schemaUrl: string, value: unknown, where: string) => {
    const validate = ajv.getSchema(schemaUrl);
    if (!validate) {
      problems.push(`${where}: no vendored schema ${schemaUrl}`);
      return;
    }
    if (!validate(value)) problems.push(...(validate.errors ?? []).map((error) => `${where}${error.instancePath}: ${error.message}`));
  };
  check(RUN_EVENT, event, 'event');
  const facetsOf = (facets: Facets, where: string) => {
    for (const [name, facet] of Object.entries(facets ?? {})) check(String(facet._schemaURL), facet, `${where}.${name}`);
  };
  const e = event as { run?: { facets?: Facets }; job?: { facets?: Facets }; inputs?: { facets?: Facets; inputFacets?: Facets }[]; outputs?: { facets?: Facets; outputFacets?: Facets }[] };
  facetsOf(e.run?.facets, 'run.facets');
  facetsOf(e.job?.facets, 'job.facets');
  e.inputs?.forEach((input, i) => (facetsOf(input.facets, `inputs[${i}].facets`), facetsOf(input.inputFacets, `inputs[${i}].inputFacets`)));
  e.outputs?.forEach((output, i) => (facetsOf(output.facets, `outputs[${i}].facets`), facetsOf(output.outputFacets, `outputs[${i}].outputFacets`)));
  return problems;
}
