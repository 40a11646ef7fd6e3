// Conditions over a million partitions per asset, on typed-array state: the answers are exact, a
// self-dependent history is requested whole in one evaluation, and keys are formatted only on demand.
// (Speed is reported by hand in docs/automation.md, not asserted here.)
import { describe, expect, it } from 'vitest';
import { and, defineAsset, defineDefinitions, defineSource, eager, evaluateConditions, not, offset, onMissing, timeWindows } from '../../../../framework/index.ts';
import type { AssetState, PlannerState } from '../../../../framework/index.ts';

const windows = timeWindows({ cadence: '15-minute', timeZone: 'UTC', start: '1998-01-01', end: '2026-07-01' });
const n = windows.size();
const NOW = Date.UTC(2026, 6, 1);

const definitions = defineDefinitions([
  defineSource({ key: 'big/file', partitions: windows, location: { pattern: 'files/{partition}.csv' } }),
  defineAsset({ key: 'big/clean', partitions: windows, deps: ['big/file'], automation: eager() }),
  defineAsset({ key: 'big/report', partitions: windows, deps: ['big/clean'], automation: and(eager(), not(onMissing())) }),
  defineAsset({
    key: 'big/balance',
    partitions: windows,
    deps: [{ asset: 'big/file', as: 'file' }, { asset: 'big/balance', mapping: offset(-1), as: 'previous' }],
    automation: eager(),
  }),
]);

function blank(): AssetState & { materializedSeq: Float64Array; versionSeq: Float64Array } {
  return { materializedSeq: new Float64Array(n), versionSeq: new Float64Array(n), codeVersion: new Uint16Array(n), codeVersions: [''], failed: new Uint8Array(n) };
}

describe('conditions over a million partitions', () => {
  it('requests exactly the partitions eager() allows, and a whole self-dependent history at once', () => {
    expect(n).toBeGreaterThan(990_000);
    const file = blank();
    const clean = blank();
    const report = blank();
    // Every file observed; clean and report materialized over the first half; 1,000 files corrected since.
    for (let i = 0; i < n; i++) file.materializedSeq[i] = file.versionSeq[i] = i + 1;
    for (let i = 0; i < n / 2; i++) {
      clean.materializedSeq[i] = clean.versionSeq[i] = 2 * n + i;
      report.materializedSeq[i] = report.versionSeq[i] = 3 * n + i;
    }
    for (let i = 0; i < 1000; i++) file.materializedSeq[i * 7] = file.versionSeq[i * 7] = 4 * n + i;
    const states = new Map([
      ['big/file', file],
      ['big/clean', clean],
      ['big/report', report],
    ]);
    const state: PlannerState = { asset: (key) => states.get(key) };

    const evaluation = evaluateConditions({ definitions, state, now: NOW });
    const missingHalf = n - Math.floor(n / 2);
    expect(evaluation.results.map((r) => [r.asset, r.trueCount, r.requestedCount])).toEqual([
      ['big/clean', missingHalf + 1000, missingHalf + 1000],
      // Its input will be rerun but has no new data yet.
      ['big/report', 0, 0],
      // Never materialized: the whole history, each partition reading the previous one requested with it.
      ['big/balance', n, n],
    ]);
    const [clean0, balance] = evaluation.requests;
    expect(clean0!.subset.has(7 * 999) && clean0!.subset.has(n - 1) && !clean0!.subset.has(1)).toBe(true);
    expect(balance!.subset.count()).toBe(n);
    // Keys are formatted only when read (a million sub-daily keys take seconds); the subset is there at once.
    expect(windows.keyAt(balance!.subset.first())).toBe('1998-01-01T00:00');

    // While the first partitions run, every later one waits for its previous partition.
    const running = [0, 1, 2].map((i) => `big/balance|${windows.keyAt(i)}`);
    const next = evaluateConditions({ definitions, state, now: NOW + 60_000, previous: evaluation.cursor, inProgress: running });
    const balanceNext = next.results.find((r) => r.asset === 'big/balance')!;
    expect([balanceNext.trueCount, balanceNext.requestedCount]).toEqual([0, 0]);
  });
});
