import type { Migration, MigrationProvider } from 'kysely/migration';
import { initial } from './0001-initial.ts';
import { publishes } from './0002-publishes.ts';
import { apiTokens } from './0003-api-tokens.ts';
import { auditRetention } from './0004-audit-retention.ts';

/** Every migration, by name; names sort in the order they run. Listed here rather than found by a folder scan, so bundling cannot lose one. */
const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-publishes': publishes,
  '0003-api-tokens': apiTokens,
  '0004-audit-retention': auditRetention,
};

/** The static provider the Migrator reads. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
