// The project's configuration: the example pipelines and the calendars the CLI can show.
import { defineConfig, defineDefinitions } from './framework/index.ts';
import { xnys } from './calendars/index.ts';
import { northbridge } from './assets/northbridge/index.ts';

export default defineConfig({
  definitions: defineDefinitions(northbridge),
  calendars: [xnys()],
});
