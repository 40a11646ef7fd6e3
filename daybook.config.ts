// The project's configuration: the example pipelines, the calendars the CLI can show, where files
// land, and what `daybook demo` (npm start) prepares.
import { defineConfig, defineDefinitions } from './framework/index.ts';
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
