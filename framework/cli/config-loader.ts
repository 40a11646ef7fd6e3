import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineAutomation, type AutomationConfig } from '../automation/automation-config.ts';
import type { DaybookConfig } from '../definitions/config.ts';
import { DefinitionError } from '../util/errors.ts';

/** Where the config is looked for: `--config`, then `DAYBOOK_CONFIG`, then `./daybook.config.ts`. */
export function configPath(explicit: string | undefined, cwd = process.cwd()): string {
  return resolve(cwd, explicit ?? process.env.DAYBOOK_CONFIG ?? 'daybook.config.ts');
}

/** Loads the project's `daybook.config.ts` (TypeScript runs through tsx, which bin/daybook.js registers). */
export async function loadConfig(explicit?: string): Promise<DaybookConfig> {
  const path = configPath(explicit);
  const module = await importConfig(path);
  const config = module.default as DaybookConfig | undefined;
  if (!config || typeof config !== 'object' || !('definitions' in config) || !('calendars' in config)) {
    throw new DefinitionError('invalid-config', `${path}: the default export must be defineConfig({ definitions, calendars })`, { field: path });
  }
  return config;
}

/**
 * The project's automation: the `automation` export of `daybook.config.ts` (`defineAutomation({…})`),
 * or none (the daemon then runs the assets' conditions and alerts without channels).
 */
export async function loadAutomation(explicit?: string): Promise<AutomationConfig> {
  const path = configPath(explicit);
  const { automation } = await importConfig(path);
  if (automation === undefined) return defineAutomation();
  if (typeof automation !== 'object' || automation === null || !('schedules' in automation) || !('sensors' in automation)) {
    throw new DefinitionError('invalid-config', `${path}: the automation export must be defineAutomation({ schedules, sensors, alerts })`, { field: 'automation' });
  }
  return automation as AutomationConfig;
}

async function importConfig(path: string): Promise<{ default?: unknown; automation?: unknown }> {
  if (!existsSync(path)) {
    throw new DefinitionError('invalid-config', `config file not found: ${path} (pass --config or set DAYBOOK_CONFIG)`, { field: path });
  }
  return (await import(pathToFileURL(path).href)) as { default?: unknown; automation?: unknown };
}
