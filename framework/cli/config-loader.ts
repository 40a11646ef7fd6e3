import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DaybookConfig } from '../definitions/config.ts';
import { DefinitionError } from '../util/errors.ts';

/** Where the config is looked for: `--config`, then `DAYBOOK_CONFIG`, then `./daybook.config.ts`. */
export function configPath(explicit: string | undefined, cwd = process.cwd()): string {
  return resolve(cwd, explicit ?? process.env.DAYBOOK_CONFIG ?? 'daybook.config.ts');
}

/** Loads the project's `daybook.config.ts` (TypeScript runs through tsx, which bin/daybook.js registers). */
export async function loadConfig(explicit?: string): Promise<DaybookConfig> {
  const path = configPath(explicit);
  if (!existsSync(path)) {
    throw new DefinitionError('invalid-config', `config file not found: ${path} (pass --config or set DAYBOOK_CONFIG)`, { field: path });
  }
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  const config = module.default as DaybookConfig | undefined;
  if (!config || typeof config !== 'object' || !('definitions' in config) || !('calendars' in config)) {
    throw new DefinitionError('invalid-config', `${path}: the default export must be defineConfig({ definitions, calendars })`, { field: path });
  }
  return config;
}
