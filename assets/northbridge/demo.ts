import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoPrepare } from '../../framework/index.ts';
import { executionFilePath, generateLanding } from './generator/index.ts';
import { BROKERS, FIRST_SESSION, tradingSessions } from './partitions.ts';

/**
 * Before the demo materializes: writes landing data for every session of the books that has ended
 * and has no files yet. Each session's files depend only on the seed and the session, so filling
 * gaps later gives the same bytes as generating everything at once.
 */
export const prepareDemo: DemoPrepare = async ({ landing, now, log }) => {
  const ended = tradingSessions.countEndedBy(now);
  if (ended === 0) {
    log(`no NorthBridge session has ended yet (books start ${FIRST_SESSION})`);
    return;
  }
  const absent: string[] = [];
  for (let index = 0; index < ended; index++) {
    const date = tradingSessions.keyAt(index);
    const expected = [`reference/securities/${date}.csv`, `reference/fx/${date}.csv`, `prices/${date}.csv`, ...BROKERS.map((b) => executionFilePath(b, date))];
    if (!expected.every((path) => existsSync(join(landing, path)))) absent.push(date);
  }
  if (absent.length === 0) {
    log(`landing data present for ${ended} sessions (${FIRST_SESSION} .. ${tradingSessions.keyAt(ended - 1)})`);
    return;
  }
  let files = 0;
  for (const date of absent) {
    const summary = await generateLanding({ root: landing, from: date, to: date });
    files += summary.files.length;
  }
  log(`generated ${files} landing files for ${absent.length} sessions (${absent[0]} .. ${absent.at(-1)}) under ${landing}/`);
};
