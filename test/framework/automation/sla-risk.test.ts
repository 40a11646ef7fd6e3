import { describe, expect, it } from 'vitest';
import { xnys } from '../../../calendars/index.ts';
import { predictSlas, type SlaFacts } from '../../../framework/automation/sla-risk.ts';
import { dueSlaTargets } from '../../../framework/automation/sla-targets.ts';
import type { StepDurationStats } from '../../../framework/automation/step-durations.ts';
import { parseDuration } from '../../../framework/util/duration.ts';
import { defineAsset, defineDefinitions, defineSource, MemoryState, previousSession, sessions, timeWindows } from '../../../framework/index.ts';

const MINUTE = 60_000;
const t = (text: string): number => Date.parse(text);
const daily = timeWindows({ cadence: 'daily', start: '2026-11-01', end: '2026-12-31' });
const DAY = '2026-11-20';
const deadline = t('2026-11-20T23:00:00Z');

// files → raw ┐
//         ref ┴→ clean → report (SLA 23:00 UTC on the day, declared estimate 15m)
const definitions = defineDefinitions([
  defineSource({ key: 'sla/files', partitions: daily, location: { pattern: 'files/{partition}.csv' } }),
  defineAsset({ key: 'sla/raw', partitions: daily, deps: ['sla/files'], compute: 'select 1' }),
  defineAsset({ key: 'sla/ref', partitions: daily, compute: 'select 1' }),
  defineAsset({ key: 'sla/clean', partitions: daily, deps: ['sla/raw', 'sla/ref'], compute: 'select 1' }),
  defineAsset({
    key: 'sla/report',
    partitions: daily,
    deps: ['sla/clean'],
    compute: 'select 1',
    sla: { deadline: '23:00', tz: 'UTC', partition: 'currentDay', estimate: '15m' },
  }),
]);

const stats = (asset: string, p90Minutes: number, samples = 5): [string, StepDurationStats] => [asset, { asset, p50Ms: (p90Minutes * MINUTE) / 2, p90Ms: p90Minutes * MINUTE, samples }];
// report has two samples only: below minSamples (3), so its declared 15m estimate counts instead of its 99m p90.
const durations = new Map([stats('sla/raw', 10), stats('sla/ref', 40), stats('sla/clean', 20), stats('sla/report', 99, 2)]);
const facts = (more: Partial<SlaFacts> = {}): SlaFacts => ({ durations, running: new Map(), materializedAt: new Map(), failedChecks: new Set(), ...more });
const target = { asset: 'sla/report', partition: DAY, deadline };

function observed(): MemoryState {
  const state = new MemoryState(definitions);
  state.observe('sla/files', DAY, 'f1');
  return state;
}

describe('predictSlas', () => {
  it('takes the longest chain of p90s (or the declared estimate) through what is not fresh: ref 40m, clean 20m, report 15m', () => {
    const [prediction] = predictSlas({ definitions, state: observed(), targets: [target], facts: facts(), now: t('2026-11-20T21:50:00Z') });
    expect(prediction!.remainingMs).toBe(75 * MINUTE);
    expect(prediction!.criticalPath.map((step) => [step.asset, step.expectedMs / MINUTE, step.basis])).toEqual([
      ['sla/ref', 40, 'p90'],
      ['sla/clean', 20, 'p90'],
      ['sla/report', 15, 'estimate'],
    ]);
    // 21:50 + 75m = 23:05, five minutes past 23:00.
    expect(prediction).toMatchObject({ state: 'at-risk', marginMs: -5 * MINUTE, expectedAt: t('2026-11-20T23:05:00Z'), deliveredAt: null });
    expect(prediction!.reason).toBe('expected 5m after the deadline: sla/ref[2026-11-20] 40m -> sla/clean[2026-11-20] 20m -> sla/report[2026-11-20] 15m');

    const earlier = predictSlas({ definitions, state: observed(), targets: [target], facts: facts(), now: t('2026-11-20T21:30:00Z') });
    expect(earlier[0]).toMatchObject({ state: 'on-track', marginMs: 15 * MINUTE });
  });

  it('counts what remains of running steps, and a step past its p90 as running as long again as its overrun', () => {
    const now = t('2026-11-20T22:00:00Z');
    // raw started 4m ago (6m of its 10m left); ref started 50m ago, 10m past its 40m p90 (10m more expected).
    const running = new Map([
      ['sla/raw[2026-11-20]', now - 4 * MINUTE],
      ['sla/ref[2026-11-20]', now - 50 * MINUTE],
    ]);
    const [prediction] = predictSlas({ definitions, state: observed(), targets: [target], facts: facts({ running }), now });
    expect(prediction!.remainingMs).toBe((10 + 20 + 15) * MINUTE);
    expect(prediction!.criticalPath[0]).toMatchObject({ asset: 'sla/ref', expectedMs: 40 * MINUTE, remainingMs: 10 * MINUTE, startedAt: now - 50 * MINUTE });
    expect(prediction).toMatchObject({ state: 'on-track', marginMs: 15 * MINUTE });

    // Twenty minutes later ref still runs: 30m past its p90, so 30m more, and the chain ends at 23:25.
    const later = now + 20 * MINUTE;
    const [slow] = predictSlas({ definitions, state: observed(), targets: [target], facts: facts({ running }), now: later });
    expect(slow).toMatchObject({ state: 'at-risk', remainingMs: 65 * MINUTE, marginMs: -25 * MINUTE });
  });

  it('is pending while a source partition has not arrived, unless the known work already runs late', () => {
    const state = new MemoryState(definitions);
    const [waiting] = predictSlas({ definitions, state, targets: [target], facts: facts(), now: t('2026-11-20T12:00:00Z') });
    expect(waiting).toMatchObject({ state: 'pending', waitingFor: ['sla/files[2026-11-20]'], remainingMs: 75 * MINUTE });
    expect(waiting!.reason).toBe('waiting for sla/files[2026-11-20]; the rest takes 1h15m');
    const [late] = predictSlas({ definitions, state, targets: [target], facts: facts(), now: t('2026-11-20T22:00:00Z') });
    expect(late!.state).toBe('at-risk');
  });

  it('is met with its margin once fresh with checks passed, missed with how late otherwise', () => {
    const state = observed();
    for (const asset of ['sla/raw', 'sla/ref', 'sla/clean', 'sla/report']) state.materialize(asset, DAY, { dataVersion: 'v1' });
    const delivered = new Map([['sla/report[2026-11-20]', t('2026-11-20T22:40:00Z')]]);
    const [met] = predictSlas({ definitions, state, targets: [target], facts: facts({ materializedAt: delivered }), now: t('2026-11-21T08:00:00Z') });
    expect(met).toMatchObject({ state: 'met', marginMs: 20 * MINUTE, deliveredAt: t('2026-11-20T22:40:00Z'), expectedAt: null, criticalPath: [] });

    // A failed error-severity check means not delivered: at risk before the deadline, missed after it.
    const failedChecks = new Set(['sla/report[2026-11-20]']);
    const [risky] = predictSlas({ definitions, state, targets: [target], facts: facts({ materializedAt: delivered, failedChecks }), now: t('2026-11-20T22:45:00Z') });
    expect(risky).toMatchObject({ state: 'at-risk', reason: 'checks failed on sla/report[2026-11-20]' });
    const [missed] = predictSlas({ definitions, state, targets: [target], facts: facts({ materializedAt: delivered, failedChecks }), now: t('2026-11-20T23:30:00Z') });
    expect(missed).toMatchObject({ state: 'missed', marginMs: -30 * MINUTE });

    const [late] = predictSlas({ definitions, state, targets: [target], facts: facts({ materializedAt: new Map([['sla/report[2026-11-20]', t('2026-11-20T23:12:00Z')]]) }), now: t('2026-11-21T08:00:00Z') });
    expect(late).toMatchObject({ state: 'missed', marginMs: -12 * MINUTE, reason: 'delivered 12m after the deadline' });
  });

  it('is at risk when something it needs failed for good, naming it', () => {
    const state = observed();
    state.fail('sla/ref', DAY, 'connection refused');
    const [prediction] = predictSlas({ definitions, state, targets: [target], facts: facts(), now: t('2026-11-20T12:00:00Z') });
    expect(prediction).toMatchObject({ state: 'at-risk', failed: ['sla/ref[2026-11-20]'], reason: 'failed: sla/ref[2026-11-20]' });
  });

  it('follows a self-dependency back through every partition that is not fresh', () => {
    const xnysSessions = sessions(xnys(), { start: '2026-11-02', end: '2026-11-30' });
    const chained = defineDefinitions([
      defineAsset({
        key: 'sla/positions',
        partitions: xnysSessions,
        deps: [{ asset: 'sla/positions', mapping: previousSession() }],
        compute: 'select 1',
        sla: { deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession', estimate: '10m' },
      }),
    ]);
    const state = new MemoryState(chained);
    for (const day of ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13', '2026-11-16', '2026-11-17']) {
      state.materialize('sla/positions', day, { dataVersion: day });
    }
    // Three sessions behind: 11-18, 11-19 and 11-20 each take 10m, in order.
    const [prediction] = predictSlas({ definitions: chained, state, targets: [{ asset: 'sla/positions', partition: '2026-11-20', deadline: t('2026-11-23T11:30:00Z') }], facts: facts({ durations: new Map() }), now: t('2026-11-23T11:00:00Z') });
    expect(prediction!.criticalPath.map((step) => step.partition)).toEqual(['2026-11-18', '2026-11-19', '2026-11-20']);
    expect(prediction).toMatchObject({ state: 'on-track', remainingMs: 30 * MINUTE, marginMs: 0 });
  });
});

describe('dueSlaTargets', () => {
  it('lists the partitions whose deadline falls between the lookback and the horizon, following the calendar', () => {
    const premarket = defineDefinitions([
      defineAsset({
        key: 'sla/pnl',
        partitions: sessions(xnys(), { start: '2026-11-02', end: '2026-12-31' }),
        compute: 'select 1',
        sla: { deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' },
      }),
      defineAsset({ key: 'sla/unwatched', partitions: daily, compute: 'select 1' }),
    ]);
    // Friday after Thanksgiving, 12:00 New York: Wednesday's session was due at 06:30 today; Friday's is due Monday.
    const targets = dueSlaTargets({ definitions: premarket, now: t('2026-11-27T17:00:00Z'), lookbackMs: 12 * 60 * MINUTE, horizonMs: 3 * 24 * 60 * MINUTE });
    expect(targets.map((target) => [target.partition, new Date(target.deadline).toISOString()])).toEqual([
      ['2026-11-25', '2026-11-27T11:30:00.000Z'],
      ['2026-11-27', '2026-11-30T11:30:00.000Z'],
    ]);
  });
});

describe('SLA estimate', () => {
  it('reads durations such as 45m or 1h30m, and refuses others naming the asset and field', () => {
    expect([parseDuration('45m'), parseDuration('1h30m'), parseDuration('2d'), parseDuration('90s')]).toEqual([45 * MINUTE, 90 * MINUTE, 2 * 24 * 60 * MINUTE, 90_000]);
    expect([parseDuration(''), parseDuration('0m'), parseDuration('30m1h'), parseDuration('1.5h')]).toEqual([undefined, undefined, undefined, undefined]);
    expect(() => defineAsset({ key: 'sla/bad', compute: 'select 1', sla: { deadline: '06:30', tz: 'UTC', partition: 'currentDay', estimate: '90 minutes' } })).toThrow(
      /sla\/bad.*estimate.*expected a duration such as '45m', '1h30m' or '8h'/s,
    );
  });
});
