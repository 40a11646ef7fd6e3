import { afterAll, describe, expect, it } from 'vitest';
import { xnys } from '../../../../calendars/index.ts';
import { calendarSchedule } from '../../../../framework/automation/schedules/calendar.ts';
import { cronSchedule } from '../../../../framework/automation/schedules/cron.ts';
import { createScheduleTicker, type ClaimedTick, type ScheduleTicker } from '../../../../framework/automation/schedules/ticker.ts';
import { DefinitionError, StoreError, fixedClock } from '../../../../framework/index.ts';
import type { MetadataStore } from '../../../../framework/store/store.ts';
import { pgliteHarness, postgresHarness, testDatabaseUrl, type StoreHarness } from '../../../support/store-harness.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const t = (text: string): number => Date.parse(text);
const keysOf = (ticks: readonly ClaimedTick[]): string[] => ticks.map((tick) => tick.key);

const premarket = calendarSchedule({ name: 'northbridge/premarket', calendar: xnys(), at: '05:00', selection: 'group:northbridge', partition: 'previousSession' });
const every30 = cronSchedule({ name: 'pixelforge/discover', cron: '*/30 * * * *', tz: 'America/New_York', selection: 'pixelforge/files' });

const url = testDatabaseUrl();
const harnesses: StoreHarness[] = [pgliteHarness(), ...(url === undefined ? [] : [postgresHarness(url)])];

for (const harness of harnesses) {
  describe(`schedule ticker on ${harness.name}`, () => {
    afterAll(() => harness.cleanup());
    const clock = fixedClock(t('2026-11-20T08:00:00Z'));
    const withStore = async (body: (store: MetadataStore) => Promise<void>): Promise<void> => {
      const store = await harness.open({ clock });
      try {
        await body(store);
      } finally {
        await store.close();
      }
    };
    /** Calls the ticker every `stepMs` from `from` to `to` inclusive, as a daemon's loop would; returns what it claimed. */
    const runDaemon = async (ticker: ScheduleTicker, from: number, to: number, stepMs: number): Promise<ClaimedTick[]> => {
      const claimed: ClaimedTick[] = [];
      for (let now = from; now <= to; now += stepMs) {
        for (const tick of await ticker.claimDue(now)) {
          claimed.push(tick);
          await ticker.recordLaunched(tick.key);
        }
      }
      return claimed;
    };

    it('fires nothing from before its first pass, then each tick once as the clock advances', () =>
      withStore(async (store) => {
        const ticker = createScheduleTicker({ store, schedules: [premarket, every30] });
        // First pass at 04:40 New York on 2026-11-20: the 04:30 tick and earlier ones are history, not caught up.
        expect(await ticker.claimDue(t('2026-11-20T09:40:00Z'))).toEqual([]);
        const claimed = await runDaemon(ticker, t('2026-11-20T09:40:00Z'), t('2026-11-20T11:10:00Z'), 5 * MINUTE);
        // Ticks at the same instant come in the order of the schedules.
        expect(keysOf(claimed)).toEqual([
          'northbridge/premarket@2026-11-20T10:00:00.000Z',
          'pixelforge/discover@2026-11-20T10:00:00.000Z',
          'pixelforge/discover@2026-11-20T10:30:00.000Z',
          'pixelforge/discover@2026-11-20T11:00:00.000Z',
        ]);
        const fired = claimed[0]!;
        expect(fired).toMatchObject({ at: t('2026-11-20T10:00:00Z'), partitions: { partition: '2026-11-19' }, relaunch: false });
        expect(fired.schedule).toBe(premarket);
        expect(await ticker.claimDue(t('2026-11-20T11:10:00Z'))).toEqual([]);
        const [record] = await ticker.listTicks({ schedule: 'northbridge/premarket' });
        expect(record).toMatchObject({ key: fired.key, state: 'launched', runId: fired.runId, partitionRequest: { partition: '2026-11-19' }, message: null });
      }));

    it('after a restart mid-day fires no tick twice and catches up the missed ticks within the limit, recording the rest as skipped', () =>
      withStore(async (store) => {
        const catchUp = { maxTicks: 3, maxAgeMs: 6 * HOUR };
        const first = createScheduleTicker({ store, schedules: [premarket, every30], catchUp });
        const before = await runDaemon(first, t('2026-11-20T09:00:00Z'), t('2026-11-20T10:35:00Z'), 5 * MINUTE);
        // The daemon dies at 05:35 New York and comes back at 08:10: a fresh ticker over the same store.
        const restarted = createScheduleTicker({ store, schedules: [premarket, every30], catchUp });
        const caughtUp = await restarted.claimDue(t('2026-11-20T13:10:00Z'));
        expect(keysOf(caughtUp)).toEqual([
          'pixelforge/discover@2026-11-20T12:00:00.000Z',
          'pixelforge/discover@2026-11-20T12:30:00.000Z',
          'pixelforge/discover@2026-11-20T13:00:00.000Z',
        ]);
        for (const tick of caughtUp) await restarted.recordLaunched(tick.key);
        const after = await runDaemon(restarted, t('2026-11-20T13:10:00Z'), t('2026-11-20T14:00:00Z'), 10 * MINUTE);
        const all = [...keysOf(before), ...keysOf(caughtUp), ...keysOf(after)];
        expect(new Set(all).size).toBe(all.length);
        expect(all.filter((key) => key.startsWith('northbridge/'))).toEqual(['northbridge/premarket@2026-11-20T10:00:00.000Z']);

        const skipped = await restarted.listTicks({ state: 'skipped' });
        expect(skipped.map((tick) => tick.key)).toEqual(['pixelforge/discover@2026-11-20T11:30:00.000Z', 'pixelforge/discover@2026-11-20T11:00:00.000Z']);
        expect(skipped[0]!.message).toBe('5 ticks were due at 2026-11-20T13:10:00.000Z; the catch-up limit fires only the latest 3');
        const events = await store.listAuditEvents({ action: 'schedule.ticks-skipped' });
        expect(events.map((event) => event.payload)).toEqual([
          expect.objectContaining({ schedule: 'pixelforge/discover', count: 2, first: 'pixelforge/discover@2026-11-20T11:00:00.000Z' }),
        ]);
      }));

    it('skips ticks older than maxAgeMs with a message naming their age', () =>
      withStore(async (store) => {
        const catchUp = { maxTicks: 5, maxAgeMs: 24 * HOUR };
        const ticker = createScheduleTicker({ store, schedules: [premarket], catchUp });
        await ticker.claimDue(t('2026-11-23T09:00:00Z'));
        // Down from Monday 04:00 to Thursday 12:00 New York (after Thanksgiving's 05:00, which is no session).
        const claimed = await createScheduleTicker({ store, schedules: [premarket], catchUp }).claimDue(t('2026-11-27T17:00:00Z'));
        expect(keysOf(claimed)).toEqual(['northbridge/premarket@2026-11-27T10:00:00.000Z']);
        const skipped = await ticker.listTicks({ state: 'skipped' });
        expect(skipped.map((tick) => [tick.key, tick.message])).toEqual([
          ['northbridge/premarket@2026-11-25T10:00:00.000Z', 'due 55h before 2026-11-27T17:00:00.000Z: older than the catch-up limit (maxAgeMs 24h)'],
          ['northbridge/premarket@2026-11-24T10:00:00.000Z', 'due 79h before 2026-11-27T17:00:00.000Z: older than the catch-up limit (maxAgeMs 24h)'],
          ['northbridge/premarket@2026-11-23T10:00:00.000Z', 'due 103h before 2026-11-27T17:00:00.000Z: older than the catch-up limit (maxAgeMs 24h)'],
        ]);
      }));

    it('lets only one of two daemons claim each tick when they pass at the same time', () =>
      withStore(async (store) => {
        const a = createScheduleTicker({ store, schedules: [premarket, every30] });
        const b = createScheduleTicker({ store, schedules: [premarket, every30] });
        await Promise.all([a.claimDue(t('2026-11-20T09:00:00Z')), b.claimDue(t('2026-11-20T09:00:00Z'))]);
        const claimedA: ClaimedTick[] = [];
        const claimedB: ClaimedTick[] = [];
        for (let now = t('2026-11-20T09:10:00Z'); now <= t('2026-11-20T12:10:00Z'); now += 20 * MINUTE) {
          const [fromA, fromB] = await Promise.all([a.claimDue(now), b.claimDue(now)]);
          claimedA.push(...fromA);
          claimedB.push(...fromB);
          await Promise.all([...fromA.map((tick) => a.recordLaunched(tick.key)), ...fromB.map((tick) => b.recordLaunched(tick.key))]);
        }
        const all = [...keysOf(claimedA), ...keysOf(claimedB)].sort();
        expect(all).toEqual([
          'northbridge/premarket@2026-11-20T10:00:00.000Z',
          ...['09:30', '10:00', '10:30', '11:00', '11:30', '12:00'].map((hm) => `pixelforge/discover@2026-11-20T${hm}:00.000Z`),
        ]);
        expect((await store.listAuditEvents({ action: 'schedule.tick-requested' })).length).toBe(7);
      }));

    it('records launched and failed ticks in the store and the audit chain, and refuses to change a finished tick', () =>
      withStore(async (store) => {
        const ticker = createScheduleTicker({ store, schedules: [every30] });
        await ticker.claimDue(t('2026-11-20T09:50:00Z'));
        const [launched, failed] = await ticker.claimDue(t('2026-11-20T10:40:00Z'));
        const { run } = await store.createRun({ id: launched!.runId, selection: launched!.schedule.selection, trigger: 'schedule' });
        expect((await ticker.recordLaunched(launched!.key)).runId).toBe(run.id);
        expect((await ticker.recordLaunched(launched!.key)).state).toBe('launched');
        const record = await ticker.recordFailed(failed!.key, new Error('selection "pixelforge/files" matches no asset'));
        expect(record).toMatchObject({ state: 'failed', message: 'selection "pixelforge/files" matches no asset' });
        await expect(ticker.recordLaunched(failed!.key)).rejects.toThrow(`schedule tick "${failed!.key}" is failed`);
        await expect(ticker.recordFailed('pixelforge/discover@2000-01-01T00:00:00.000Z', 'x')).rejects.toBeInstanceOf(StoreError);
        const [event] = await store.listAuditEvents({ runId: run.id, action: 'schedule.tick-launched' });
        expect(event?.payload).toEqual({ schedule: 'pixelforge/discover', key: launched!.key, runId: run.id });
        expect((await store.listAuditEvents({ action: 'schedule.tick-failed' }))[0]?.payload).toMatchObject({ key: failed!.key });
        expect((await store.verifyAuditChain()).ok).toBe(true);
      }));

    it('hands a claim out again after its daemon died before launching, unless its run was created', () =>
      withStore(async (store) => {
        const crashed = createScheduleTicker({ store, schedules: [every30] });
        await crashed.claimDue(t('2026-11-20T09:50:00Z'));
        const [lost, started] = await crashed.claimDue(t('2026-11-20T10:40:00Z'));
        // The daemon created one run, then died before recording either tick.
        await store.createRun({ id: started!.runId, selection: started!.schedule.selection, trigger: 'schedule' });
        const restarted = createScheduleTicker({ store, schedules: [every30], relaunchAfterMs: 2 * MINUTE });
        expect(await restarted.claimDue(t('2026-11-20T10:41:00Z'))).toEqual([]);
        const again = await restarted.claimDue(t('2026-11-20T10:43:00Z'));
        expect(again).toEqual([expect.objectContaining({ key: lost!.key, runId: lost!.runId, relaunch: true, partitions: lost!.partitions })]);
        expect(again[0]!.schedule).toBe(every30);
        expect(await restarted.claimDue(t('2026-11-20T10:44:00Z'))).toEqual([]);
        const byKey = new Map((await restarted.listTicks()).map((tick) => [tick.key, tick]));
        expect(byKey.get(started!.key)).toMatchObject({ state: 'launched', runId: started!.runId });
        expect(byKey.get(lost!.key)).toMatchObject({ state: 'requested', message: expect.stringMatching(/^claimed again at 2026-11-20T10:43:00.000Z/) });
      }));

    it('works through a backlog longer than one pass looks at, and says when the next tick is due', () =>
      withStore(async (store) => {
        const everyMinute = cronSchedule({ name: 'busy', cron: '* * * * *', selection: '*' });
        const ticker = createScheduleTicker({ store, schedules: [everyMinute, premarket], catchUp: { maxTicks: 2, maxAgeMs: 30 * 24 * HOUR } });
        await ticker.claimDue(t('2026-11-01T00:00:00Z'));
        // 8 days of minutes is 11,520 ticks: a pass looks at 10,000 at most, and the latest two fire.
        const passes = [await ticker.claimDue(t('2026-11-09T00:00:00Z')), await ticker.claimDue(t('2026-11-09T00:00:00Z')), await ticker.claimDue(t('2026-11-09T00:00:00Z'))];
        expect(passes.map((claimed) => claimed.filter((tick) => tick.schedule === everyMinute).map((tick) => new Date(tick.at).toISOString()))).toEqual([
          [],
          ['2026-11-08T23:59:00.000Z', '2026-11-09T00:00:00.000Z'],
          [],
        ]);
        expect((await ticker.listTicks({ schedule: 'busy', state: 'skipped', limit: 100_000 })).length).toBe(11_518);
        expect(ticker.nextTickAt(t('2026-11-09T00:00:30Z'))).toBe(t('2026-11-09T00:01:00Z'));
      }));

    it('uses the store clock when no time is given, and refuses two schedules with one name', () =>
      withStore(async (store) => {
        expect(() => createScheduleTicker({ store, schedules: [every30, every30] })).toThrow(DefinitionError);
        const ticker = createScheduleTicker({ store, schedules: [every30] });
        clock.set(t('2026-11-20T09:50:00Z'));
        await ticker.claimDue();
        clock.set(t('2026-11-20T10:05:00Z'));
        expect(keysOf(await ticker.claimDue())).toEqual(['pixelforge/discover@2026-11-20T10:00:00.000Z']);
      }));
  });
}
