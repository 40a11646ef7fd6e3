import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoPrepare } from '../../framework/index.ts';
import { controlPath, generateUploads, manifestPath } from './generator/index.ts';
import { FIRST_DAY, uploadDays, uploadWindows } from './partitions.ts';

/**
 * Before the demo materializes: writes the manifests of every window that has ended and has none
 * yet, and the control files of the days that have ended. A window's manifest depends only on the
 * seed and the window, so filling gaps later gives the same bytes as generating everything at once.
 */
export const preparePixelforgeDemo: DemoPrepare = async ({ landing, now, log }) => {
  const windows = uploadWindows.countEndedBy(now);
  if (windows === 0) {
    log(`no PixelForge upload window has ended yet (uploads start ${FIRST_DAY})`);
    return;
  }
  const absent = new Set<string>();
  for (let index = 0; index < windows; index++) {
    const window = uploadWindows.keyAt(index);
    if (!existsSync(join(landing, manifestPath(window)))) absent.add(window.slice(0, 10));
  }
  for (let index = 0; index < uploadDays.countEndedBy(now); index++) {
    const day = uploadDays.keyAt(index);
    if (!existsSync(join(landing, controlPath(day)))) absent.add(day);
  }
  const last = uploadWindows.keyAt(windows - 1);
  if (absent.size === 0) {
    log(`PixelForge manifests present for ${windows} windows (${uploadWindows.keyAt(0)} .. ${last})`);
    return;
  }
  const days = [...absent].sort();
  let files = 0;
  for (const day of days) files += (await generateUploads({ root: landing, from: day, to: day, endedBy: now })).files.length;
  log(`generated ${files} PixelForge landing files for ${days.length} days (${days[0]} .. ${days.at(-1)}, windows through ${last}) under ${landing}/`);
};
