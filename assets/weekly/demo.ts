import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoPrepare } from '../../framework/index.ts';
import { generateWeeklyLanding, requestsPath, scansPath } from './generator/index.ts';
import { FIRST_WEEK, requestWindows, scanDays } from './partitions.ts';

/**
 * Before the demo materializes: writes the scan results of every New York day that has ended and
 * the request files of every window that has ended, where they are missing. Files depend only on
 * the seed and their day or window, so filling gaps gives the same bytes as generating at once.
 */
export const prepareWeeklyDemo: DemoPrepare = async ({ landing, now, log }) => {
  const windows = requestWindows.countEndedBy(now);
  if (windows === 0) {
    log(`no request window of the weekly job has ended yet (it starts ${FIRST_WEEK})`);
    return;
  }
  const absent = new Set<string>();
  for (let index = 0; index < windows; index++) {
    const window = requestWindows.keyAt(index);
    if (!existsSync(join(landing, requestsPath(window)))) absent.add(window.slice(0, 10));
  }
  for (let index = 0; index < scanDays.countEndedBy(now); index++) {
    const day = scanDays.keyAt(index);
    if (!existsSync(join(landing, scansPath(day)))) absent.add(day);
  }
  if (absent.size === 0) {
    log(`weekly landing data present through ${requestWindows.keyAt(windows - 1)}`);
    return;
  }
  const days = [...absent].sort();
  let files = 0;
  for (const day of days) files += (await generateWeeklyLanding({ root: landing, from: day, to: day, endedBy: now })).files.length;
  log(`generated ${files} weekly landing files for ${days.length} days (${days[0]} .. ${days.at(-1)}) under ${landing}/`);
};
