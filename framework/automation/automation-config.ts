import { DefinitionError } from '../util/errors.ts';
import type { AlertChannel } from './alert.ts';
import type { QueueThresholds } from './alert-rules.ts';
import type { ScheduleDefinition } from './schedules/schedule.ts';
import type { CatchUpLimit } from './schedules/ticker.ts';
import type { SensorDefinition } from './sensors/sensor.ts';

/** What the daemon runs besides the assets' own conditions: a project's `export const automation` in `daybook.config.ts`. */
export interface AutomationConfig {
  readonly schedules: readonly ScheduleDefinition[];
  readonly sensors: readonly SensorDefinition[];
  readonly alerts: { readonly channels: readonly AlertChannel[]; readonly queue: QueueThresholds };
  /** Slot limits of pools across every worker, e.g. `{ redshift: 2 }`; an asset joins a pool with its `pool` tag. */
  readonly pools: Readonly<Record<string, number>>;
  readonly catchUp: CatchUpLimit | undefined;
  /** In-process workers the daemon starts when no `daybook worker` runs (always on the embedded store); default 2. */
  readonly workers: number;
}

export interface AutomationInput {
  schedules?: readonly ScheduleDefinition[];
  sensors?: readonly SensorDefinition[];
  alerts?: { channels?: readonly AlertChannel[]; queue?: QueueThresholds };
  pools?: Readonly<Record<string, number>>;
  catchUp?: CatchUpLimit;
  workers?: number;
}

/**
 * Declares a project's automation, exported next to its config:
 *
 * @example
 * export const automation = defineAutomation({
 *   schedules: [calendarSchedule({ name: 'pre-market', calendar: xnys(), at: '05:00', tz: 'America/New_York', selection: '*', partition: 'previousSession' })],
 *   sensors: [landingSensor({ name: 'landing' })],
 *   alerts: { channels: [webhookChannel({ url: process.env.SLACK_WEBHOOK_URL! })] },
 *   pools: { redshift: 2 },
 * });
 */
export function defineAutomation({ schedules = [], sensors = [], alerts = {}, pools = {}, catchUp, workers = 2 }: AutomationInput = {}): AutomationConfig {
  unique('schedules', schedules.map((schedule) => schedule.name));
  unique('sensors', sensors.map((sensor) => sensor.name));
  if (!Number.isInteger(workers) || workers < 0) throw invalid('workers', `expected a whole number ≥ 0, got ${workers}`);
  return Object.freeze({
    schedules: Object.freeze([...schedules]),
    sensors: Object.freeze([...sensors]),
    alerts: Object.freeze({ channels: Object.freeze([...(alerts.channels ?? [])]), queue: alerts.queue ?? {} }),
    pools: Object.freeze({ ...pools }),
    catchUp,
    workers,
  });
}

function unique(field: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw invalid(field, `two ${field} are named "${name}"`);
    seen.add(name);
  }
}

function invalid(field: string, problem: string): DefinitionError {
  return new DefinitionError('invalid-config', `automation.${field}: ${problem}`, { field: `automation.${field}` });
}
