// The weekly quality job on its own: `npx daybook --config assets/weekly/daybook.config.ts demo --once`
// (or DAYBOOK_CONFIG=assets/weekly/daybook.config.ts). WEEKLY_RUN_MS sets the report's simulated run.
import { defineAutomation, defineConfig, defineDefinitions, landingSensor, weeklySchedule } from '../../framework/index.ts';
import { prepareWeeklyDemo } from './demo.ts';
import { weekly, WEEKLY_KEYS } from './index.ts';

export default defineConfig({
  definitions: defineDefinitions(weekly),
  landing: process.env.DAYBOOK_LANDING ?? 'landing',
  execution: { concurrency: 4, attempts: 3, retryDelayMs: 500 },
  demo: prepareWeeklyDemo,
});

/**
 * `daybook --config assets/weekly/daybook.config.ts daemon`: the report every Sunday 00:00 New York for
 * the week that just ended (its SLA is Tuesday 23:59), and the request queue drained as files land,
 * with an alert when more than 50 request windows wait or one waits over 15 minutes.
 */
export const automation = defineAutomation({
  schedules: [weeklySchedule({ name: 'weekly-quality-report', weekday: 0, at: '00:00', tz: 'America/New_York', selection: WEEKLY_KEYS.report, partition: 'previousWeek' })],
  sensors: [landingSensor({ name: 'weekly-requests', sources: WEEKLY_KEYS.queueSource })],
  alerts: { queue: { maxWaiting: 50, maxOldestWaitingMs: 15 * 60_000 } },
});
