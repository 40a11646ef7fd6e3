import { tryParseDay } from '../util/dates.ts';
import { AuditError } from '../util/errors.ts';

/** A `YYYY-MM-DD` option of an audit command as a day number (UTC); an AuditError naming the option otherwise. */
export function parseDayOption(text: string, option: string): number {
  const day = typeof text === 'string' ? tryParseDay(text) : undefined;
  if (day === undefined) throw new AuditError('audit-invalid-request', `${option} ${JSON.stringify(text)} is not a date; expected YYYY-MM-DD`, { field: option.replace(/^-+/, '') });
  return day;
}
