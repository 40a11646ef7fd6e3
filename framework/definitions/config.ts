import type { Calendar } from '../partitions/calendar.ts';
import { DefinitionError } from '../util/errors.ts';
import type { Definitions } from './definitions.ts';

/** A project's configuration, the default export of `daybook.config.ts`. */
export interface DaybookConfig {
  readonly definitions: Definitions;
  /** Market calendars, for `daybook calendar <MIC>` and for schedules; looked up by name. */
  readonly calendars: readonly Calendar[];
}

/**
 * Declares the project's configuration. Instances are passed in; nothing is registered by name.
 *
 * @example
 * export default defineConfig({ definitions: defineDefinitions(northbridge), calendars: [xnys()] });
 */
export function defineConfig(config: { definitions: Definitions; calendars?: readonly Calendar[] }): DaybookConfig {
  const calendars = config.calendars ?? [];
  const names = new Set<string>();
  for (const calendar of calendars) {
    if (names.has(calendar.name)) {
      throw new DefinitionError('invalid-config', `config: field "calendars": two calendars are named ${calendar.name}`, { field: 'calendars' });
    }
    names.add(calendar.name);
  }
  return Object.freeze({ definitions: config.definitions, calendars: Object.freeze([...calendars]) });
}
