import { describe, expect, it } from 'vitest';
import { xnys } from '../../../../calendars/index.ts';
import { ticksBetween } from '../../../../framework/automation/schedules/ticks.ts';
import { weeklySchedule } from '../../../../framework/automation/schedules/weekly.ts';
import { DefinitionError, sessions, timeWindows, type PartitionsDefinition } from '../../../../framework/index.ts';
import type { PartitionRequest } from '../../../../framework/planner/partition-request.ts';
import { requestedSubset } from '../../../../framework/planner/partition-request.ts';

const NY = 'America/New_York';
const iso = (ms: number): string => new Date(ms).toISOString();
const keys = (definition: PartitionsDefinition, request: PartitionRequest): string[] =>
  [...requestedSubset(definition, request).indexes()].map((index) => definition.keyAt(index));

const weekly = weeklySchedule({ name: 'weekly/quality', weekday: 0, at: '00:00', tz: NY, selection: 'group:weekly' });

describe('weeklySchedule', () => {
  it('fires Sunday 00:00 New York for the Sunday-to-Saturday week that just ended', () => {
    const ticks = ticksBetween(weekly, Date.parse('2026-11-14T00:00:00Z'), Date.parse('2026-11-30T00:00:00Z'));
    expect(ticks.map((tick) => [iso(tick.at), tick.partitions])).toEqual([
      ['2026-11-15T05:00:00.000Z', { from: '2026-11-08', to: '2026-11-14' }],
      ['2026-11-22T05:00:00.000Z', { from: '2026-11-15', to: '2026-11-21' }],
      ['2026-11-29T05:00:00.000Z', { from: '2026-11-22', to: '2026-11-28' }],
    ]);
    expect(ticks[1]!.key).toBe('weekly/quality@2026-11-22T05:00:00.000Z');
  });

  it('requests exactly the one window of a weekly asset, and the days or sessions of that week of daily ones', () => {
    const [tick] = ticksBetween(weekly, Date.parse('2026-11-21T00:00:00Z'), Date.parse('2026-11-23T00:00:00Z'));
    const weeks = timeWindows({ cadence: 'weekly', start: '2026-01-04', timeZone: NY, weekStart: 0 });
    expect(keys(weeks, tick!.partitions)).toEqual(['2026-11-15']);
    const days = timeWindows({ cadence: 'daily', start: '2026-01-01', timeZone: NY });
    expect(keys(days, tick!.partitions)).toHaveLength(7);
    expect(keys(sessions(xnys(), { start: '2026-01-02' }), tick!.partitions)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
  });

  it('keeps local midnight across the daylight-saving changes', () => {
    expect(ticksBetween(weekly, Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-03-16T00:00:00Z')).map((tick) => iso(tick.at))).toEqual([
      '2026-03-01T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z', // clocks go forward at 02:00 that day, after the tick
      '2026-03-15T04:00:00.000Z',
    ]);
    expect(ticksBetween(weekly, Date.parse('2026-10-25T00:00:00Z'), Date.parse('2026-11-09T00:00:00Z')).map((tick) => iso(tick.at))).toEqual([
      '2026-10-25T04:00:00.000Z',
      '2026-11-01T04:00:00.000Z', // clocks go back at 02:00 that day, after the tick
      '2026-11-08T05:00:00.000Z',
    ]);
  });

  it('moves a time that clocks skip forward by the gap, and fires a repeated time once, at its first occurrence', () => {
    const skipped = weeklySchedule({ name: 'w', weekday: 0, at: '02:30', tz: NY, selection: '*' });
    expect(iso(skipped.nextTick(Date.parse('2026-03-07T00:00:00Z'))!.at)).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    const repeated = weeklySchedule({ name: 'w', weekday: 0, at: '01:30', tz: NY, selection: '*' });
    const fall = ticksBetween(repeated, Date.parse('2026-10-31T00:00:00Z'), Date.parse('2026-11-02T00:00:00Z'));
    expect(fall.map((tick) => iso(tick.at))).toEqual(['2026-11-01T05:30:00.000Z']); // 01:30 EDT
  });

  it('takes the last whole week before a midweek tick, or the current week, with any week start', () => {
    const tuesday = weeklySchedule({ name: 'w', weekday: 2, at: '23:59', tz: NY, selection: '*' });
    expect(tuesday.nextTick(Date.parse('2026-11-23T00:00:00Z'))).toEqual({
      at: Date.parse('2026-11-25T04:59:00Z'),
      partitions: { from: '2026-11-15', to: '2026-11-21' },
    });
    const current = weeklySchedule({ name: 'w', weekday: 5, at: '18:00', tz: 'UTC', weekStart: 1, partition: 'currentWeek', selection: '*' });
    expect(current.nextTick(Date.parse('2026-11-23T00:00:00Z'))).toEqual({
      at: Date.parse('2026-11-27T18:00:00Z'),
      partitions: { from: '2026-11-23', to: '2026-11-29' },
    });
  });

  it('rejects a weekday outside 0-6, a bad time and an unknown zone, naming the schedule and field', () => {
    const cases: [unknown, string][] = [
      [{ name: 'w', weekday: 7, selection: '*' }, 'weekday'],
      [{ name: 'w', weekday: 1.5, selection: '*' }, 'weekday'],
      [{ name: 'w', weekday: 0, at: '7:00', selection: '*' }, 'at'],
      [{ name: 'w', weekday: 0, tz: 'Nowhere', selection: '*' }, 'tz'],
      [{ name: 'w', weekday: 0, selection: '*', partition: 'lastWeek' }, 'partition'],
    ];
    for (const [options, field] of cases) {
      expect(() => weeklySchedule(options as Parameters<typeof weeklySchedule>[0])).toThrow(DefinitionError);
      expect(() => weeklySchedule(options as Parameters<typeof weeklySchedule>[0])).toThrow(new RegExp(`^weekly schedule "w": field "${field}"`));
    }
  });
});
