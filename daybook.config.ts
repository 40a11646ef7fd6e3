// The project's configuration: the example pipelines, the calendars the CLI can show, where files
// land, and what `daybook demo` (npm start) prepares.
import { calendarSchedule, defineAutomation, defineConfig, defineDefinitions } from './framework/index.ts';
import { xnys } from './calendars/index.ts';
import { northbridge } from './assets/northbridge/index.ts';
import { prepareDemo } from './assets/northbridge/demo.ts';

export default defineConfig({
  definitions: defineDefinitions(northbridge),
  calendars: [xnys()],
  landing: process.env.DAYBOOK_LANDING ?? 'landing',
  execution: { concurrency: 4, attempts: 3, retryDelayMs: 500 },
  demo: prepareDemo,
});

/**
 * What `daybook daemon` (and `daybook serve`) run besides the assets' conditions: the whole pipeline at
 * 05:00 New York on each NYSE session, for the session before, ahead of the 06:30 deadline.
 */
export const automation = defineAutomation({
  schedules: [calendarSchedule({ name: 'northbridge-pre-market', calendar: xnys(), at: '05:00', tz: 'America/New_York', selection: '*', partition: 'previousSession' })],
});
