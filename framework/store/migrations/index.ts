import type { Migration, MigrationProvider } from 'kysely/migration';
import { initial } from './0001-initial.ts';
import { publishes } from './0002-publishes.ts';
import { apiTokens } from './0003-api-tokens.ts';
import { auditRetention } from './0004-audit-retention.ts';
import { scheduleTicks } from './0005-schedule-ticks.ts';
import { alerts } from './0006-alerts.ts';
import { sensorCursors } from './0007-sensor-cursors.ts';
import { workQueue } from './0008-work-queue.ts';
import { conditionCursors } from './0009-condition-cursors.ts';
import { daemons } from './0010-daemons.ts';
import { finishQueue } from './0011-finish-queue.ts';

/** Every migration, by name; names sort in the order they run. Listed here rather than found by a folder scan, so bundling cannot lose one. */
const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-publishes': publishes,
  '0003-api-tokens': apiTokens,
  '0004-audit-retention': auditRetention,
  '0005-schedule-ticks': scheduleTicks,
  '0006-alerts': alerts,
  '0007-sensor-cursors': sensorCursors,
  '0008-work-queue': workQueue,
  '0009-condition-cursors': conditionCursors,
  '0010-daemons': daemons,
  '0011-finish-queue': finishQueue,
};

/** The static provider the Migrator reads. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
