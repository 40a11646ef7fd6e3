import type { Command } from 'commander';
import { DAY_MS, formatDay, parseDay } from '../../util/dates.ts';
import { DefinitionError } from '../../util/errors.ts';
import { table, write, type CommandContext } from '../output.ts';

interface CalendarOptions {
  from?: string;
  to?: string;
  closures?: boolean;
  json?: boolean;
}

/** `daybook calendar <MIC>`: sessions (or closures) of a configured market calendar. */
export function calendarCommand(program: Command, { load, io }: CommandContext): void {
  program
    .command('calendar')
    .description('List the sessions of a market calendar (or its weekday closures)')
    .argument('<mic>', 'market identifier code of a configured calendar, e.g. XNYS')
    .option('--from <date>', 'first date, YYYY-MM-DD (default: today)')
    .option('--to <date>', 'last date, YYYY-MM-DD (default: 30 days after --from)')
    .option('--closures', 'list weekday closures (holidays and unscheduled closures) instead of sessions')
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExample:\n  daybook calendar XNYS --from 2024-07-01 --to 2024-07-05 --json')
    .action(async (mic: string, options: CalendarOptions) => {
      const config = await load();
      const calendar = config.calendars.find((c) => c.name === mic.toUpperCase());
      if (!calendar) {
        const known = config.calendars.map((c) => c.name).join(', ') || 'none';
        throw new DefinitionError('invalid-config', `unknown calendar "${mic}"; configured calendars: ${known}`, { field: 'calendars' });
      }
      const from = options.from ?? formatDay(Math.floor(io.now() / DAY_MS));
      const to = options.to ?? formatDay(parseDay(from, '--from') + 30);
      if (options.closures) {
        const closures = calendar.closures(from, to);
        if (options.json) {
          for (const closure of closures) await write(io.stdout, JSON.stringify({ date: closure.date, name: closure.name }) + '\n');
        } else {
          await write(io.stdout, table(['date', 'closure'], closures.map((c) => [c.date, c.name])));
        }
        return;
      }
      const sessions = calendar.sessions(from, to);
      if (options.json) {
        let chunk = '';
        for (const date of sessions) {
          const hours = calendar.hours(date);
          chunk += JSON.stringify({ date, open: hours.open, close: hours.close, tz: calendar.timeZone }) + '\n';
          if (chunk.length > 65_536) {
            await write(io.stdout, chunk);
            chunk = '';
          }
        }
        await write(io.stdout, chunk);
        return;
      }
      const early = new Map(calendar.earlyCloses(from, to).map((e) => [e.date, e.name]));
      const rows = sessions.map((date) => {
        const hours = calendar.hours(date);
        return [date, hours.open, hours.close, early.has(date) ? `early close (${early.get(date)})` : ''];
      });
      await write(io.stdout, table(['session', 'open', 'close', `note (${calendar.timeZone})`], rows));
    });
}
