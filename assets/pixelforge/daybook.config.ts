// PixelForge on its own: `npx daybook --config assets/pixelforge/daybook.config.ts demo --once`
// (or DAYBOOK_CONFIG=assets/pixelforge/daybook.config.ts). Uploads are in UTC, so no calendar is needed.
import { cronSchedule, defineAutomation, defineConfig, defineDefinitions, landingSensor } from '../../framework/index.ts';
import { preparePixelforgeDemo } from './demo.ts';
import { pixelforge } from './index.ts';

export default defineConfig({
  definitions: defineDefinitions(pixelforge),
  landing: process.env.DAYBOOK_LANDING ?? 'landing',
  execution: { concurrency: 4, attempts: 3, retryDelayMs: 500 },
  demo: preparePixelforgeDemo,
});

/**
 * `daybook --config assets/pixelforge/daybook.config.ts daemon`: uploads are picked up as their
 * manifests land or change (only those windows rerun), and the nightly reconciliation runs at 01:00
 * UTC for the day before, once its 96 windows are in.
 */
export const automation = defineAutomation({
  schedules: [
    cronSchedule({
      name: 'pixelforge-nightly-reconciliation',
      cron: '0 1 * * *',
      tz: 'UTC',
      selection: 'pixelforge/daily-reconciliation',
      partitions: (at) => ({ partition: new Date(at - 86_400_000).toISOString().slice(0, 10) }),
    }),
  ],
  sensors: [landingSensor({ name: 'pixelforge-uploads', sources: 'pixelforge/uploads' })],
});
