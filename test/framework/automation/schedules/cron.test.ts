import { describe, expect, it } from 'vitest';
import { cronSchedule } from '../../../../framework/automation/schedules/cron.ts';
import { ticksBetween } from '../../../../framework/automation/schedules/ticks.ts';
import { DefinitionError } from '../../../../framework/index.ts';

const NY = 'America/New_York';
const iso = (ms: number): string => new Date(ms).toISOString();
const ticksAt = (schedule: ReturnType<typeof cronSchedule>, from: string, to: string): string[] =>
  ticksBetween(schedule, Date.parse(from), Date.parse(to)).map((tick) => iso(tick.at));

describe('cronSchedule', () => {
  it('fires at 05:00 New York on weekdays, at 10:00 UTC before the spring-forward of 2026-03-08 and 09:00 after', () => {
    const morning = cronSchedule({ name: 'nb/morning', cron: '0 5 * * 1-5', tz: NY, selection: '*' });
    expect(ticksAt(morning, '2026-03-05T00:00:00Z', '2026-03-11T00:00:00Z')).toEqual([
      '2026-03-05T10:00:00.000Z',
      '2026-03-06T10:00:00.000Z',
      '2026-03-09T09:00:00.000Z',
      '2026-03-10T09:00:00.000Z',
    ]);
    expect(ticksAt(morning, '2026-10-29T00:00:00Z', '2026-11-04T00:00:00Z')).toEqual([
      '2026-10-29T09:00:00.000Z',
      '2026-10-30T09:00:00.000Z',
      '2026-11-02T10:00:00.000Z',
      '2026-11-03T10:00:00.000Z',
    ]);
  });

  it('fires a fixed 02:30 once on both change days: at 03:00 EDT when clocks skip it, at the first 02:30 when they repeat it', () => {
    const nightly = cronSchedule({ name: 'nb/nightly', cron: '30 2 * * *', tz: NY, selection: '*' });
    expect(ticksAt(nightly, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT, the first valid time after the gap
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    expect(ticksAt(nightly, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
      '2026-10-31T06:30:00.000Z', // 02:30 EDT
      '2026-11-01T07:30:00.000Z', // 02:30 EST: after the fall back, 02:30 occurs once
      '2026-11-02T07:30:00.000Z',
    ]);
    const early = cronSchedule({ name: 'nb/early', cron: '30 1 * * *', tz: NY, selection: '*' });
    // 01:30 occurs twice on 2026-11-01; a fixed-time pattern fires at the first occurrence only.
    expect(ticksAt(early, '2026-10-31T12:00:00Z', '2026-11-02T00:00:00Z')).toEqual(['2026-11-01T05:30:00.000Z']);
  });

  it('fires an interval pattern on both passes through the repeated hour, each tick with its own key', () => {
    const every30 = cronSchedule({ name: 'pf/discover', cron: '*/30 * * * *', tz: NY, selection: '*' });
    const ticks = ticksBetween(every30, Date.parse('2026-11-01T04:00:00Z'), Date.parse('2026-11-01T08:00:00Z'));
    expect(ticks.map((tick) => iso(tick.at))).toEqual([
      '2026-11-01T04:30:00.000Z',
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z', // 01:00 EST, the second pass
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:30:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
    expect(new Set(ticks.map((tick) => tick.key)).size).toBe(ticks.length);
    // The spring-forward hour has no 02:00 or 02:30: those ticks are skipped, the rest are 30 minutes apart.
    expect(ticksAt(every30, '2026-03-08T06:00:00Z', '2026-03-08T08:00:00Z')).toEqual([
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:30:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('takes ticks strictly after the lower bound, also within its second, and up to the upper bound inclusive', () => {
    const hourly = cronSchedule({ name: 'h', cron: '0 * * * *', selection: '*' });
    const ten = Date.parse('2026-11-20T10:00:00Z');
    expect(ticksBetween(hourly, ten, ten + 3_600_000).map((tick) => tick.at)).toEqual([ten + 3_600_000]);
    expect(ticksBetween(hourly, ten - 1, ten).map((tick) => tick.at)).toEqual([ten]);
    expect(ticksBetween(hourly, ten + 500, ten + 3_600_000 - 1)).toEqual([]);
  });

  it('requests the partitions ended by the tick by default, or fixed ones, or ones computed from the tick', () => {
    const at = Date.parse('2026-11-20T10:00:00Z');
    const after = at - 1;
    expect(cronSchedule({ name: 'a', cron: '0 10 * * *', selection: '*' }).nextTick(after)).toEqual({ at, partitions: { endedBy: at } });
    const fixed = cronSchedule({ name: 'b', cron: '0 10 * * *', selection: '*', partitions: { where: { broker: 'GSCO' } } });
    expect(fixed.nextTick(after)?.partitions).toEqual({ where: { broker: 'GSCO' } });
    expect(fixed.spec.partitions).toEqual({ where: { broker: 'GSCO' } });
    const computed = cronSchedule({ name: 'c', cron: '0 10 * * *', selection: '*', partitions: (tick) => ({ partition: iso(tick).slice(0, 10) }) });
    expect(computed.nextTick(after)?.partitions).toEqual({ partition: '2026-11-20' });
    expect(computed.spec.partitions).toBe('function');
  });

  it('rejects a malformed pattern, a one-off date, an unknown zone and a bad request, naming the schedule and field', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ name: 'x', cron: '0 5 * *', selection: '*' }, 'cron', /cron schedule "x": field "cron": expected 5, 6 or 7 fields/],
      [{ name: 'x', cron: '2026-11-20T10:00:00', selection: '*' }, 'cron', /field "cron"/],
      [{ name: 'x', cron: '0 25 * * *', selection: '*' }, 'cron', /cron schedule "x": field "cron": "0 25 \* \* \*" is not a cron pattern/],
      [{ name: 'x', cron: '0 5 * * *', tz: 'America/Nowhere', selection: '*' }, 'tz', /unknown IANA time zone/],
      [{ name: 'x', cron: '0 5 * * *', selection: '*', partitions: { partition: 7 } }, 'partitions', /field "partitions/],
      [{ name: 'x', cron: '0 5 * * *' }, 'selection', /field "selection"/],
    ];
    for (const [options, field, message] of cases) {
      let error: unknown;
      try {
        cronSchedule(options as Parameters<typeof cronSchedule>[0]);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DefinitionError);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toMatch(message);
    }
  });
});
