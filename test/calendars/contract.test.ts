import { runCalendarContract } from '../contracts/calendar.contract.ts';
import { weekdays, xnys } from '../../calendars/index.ts';

runCalendarContract({ name: 'xnys', newCalendar: () => xnys(), sample: ['2023-01-01', '2026-12-31'] });
runCalendarContract({
  name: 'xnys with ad-hoc adjustments',
  newCalendar: () =>
    xnys({ extraClosures: [{ date: '2026-06-01', name: 'Exchange outage' }], extraEarlyCloses: [{ date: '2026-06-02', close: '12:00', name: 'Drill' }] }),
  sample: ['2026-05-01', '2026-07-31'],
});
runCalendarContract({
  name: 'weekdays',
  newCalendar: () => weekdays({ name: 'DESK', timeZone: 'Europe/London', open: '08:00', close: '16:30', holidays: ['2026-12-25', '2026-12-28'] }),
  sample: ['2026-10-01', '2026-12-31'],
});
