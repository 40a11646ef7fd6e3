import { describe, expect, it } from 'vitest';
import { PartitionError, type Calendar } from '../../framework/index.ts';

/** The contract every Calendar implementation passes (STYLE.md rule 6). */
export function runCalendarContract({ name, newCalendar, sample }: { name: string; newCalendar: () => Calendar; sample: [string, string] }): void {
  describe(`${name} (Calendar contract)`, () => {
    const calendar = newCalendar();
    const [from, to] = sample;
    const sessions = calendar.sessions(from, to);

    it('lists ascending sessions that isSession accepts, within its range', () => {
      expect(sessions.length).toBeGreaterThan(0);
      expect([...sessions].sort()).toEqual(sessions);
      expect(sessions.every((date) => calendar.isSession(date))).toBe(true);
      expect(calendar.firstDate <= from && to <= calendar.lastDate).toBe(true);
    });

    it('steps with next and previous through exactly the listed sessions', () => {
      for (let i = 1; i < sessions.length; i++) {
        expect(calendar.next(sessions[i - 1]!)).toBe(sessions[i]);
        expect(calendar.previous(sessions[i]!)).toBe(sessions[i - 1]);
      }
    });

    it('never lists a closure as a session', () => {
      const closed = calendar.closures(from, to);
      expect(closed.every((closure) => !calendar.isSession(closure.date) && closure.name.length > 0)).toBe(true);
    });

    it('opens before it closes, with hours that match the UTC instants', () => {
      for (const date of sessions) {
        const open = calendar.openAt(date);
        const close = calendar.closeAt(date);
        expect(open.getTime()).toBeLessThan(close.getTime());
        const local = new Intl.DateTimeFormat('en-GB', { timeZone: calendar.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
        expect(local.format(open)).toBe(calendar.hours(date).open);
      }
    });

    it('closes early only on sessions, before the regular close', () => {
      for (const early of calendar.earlyCloses(from, to)) {
        expect(calendar.isSession(early.date)).toBe(true);
        expect(calendar.hours(early.date).close).toBe(early.close);
      }
    });

    it('throws a PartitionError naming the format for a malformed date, and for one out of range', () => {
      expect(() => calendar.isSession('2026-13-01')).toThrowError(PartitionError);
      expect(() => calendar.isSession('20261120')).toThrowError(/YYYY-MM-DD/);
      expect(() => calendar.next('1700-01-01')).toThrowError(PartitionError);
    });
  });
}
