const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1_000] as const;

/**
 * Milliseconds of a duration written as days, hours, minutes and seconds in that order, e.g. `45m`,
 * `1h30m`, `8h`, `2d`, `90s`; undefined when the text is not one (or is zero).
 *
 * @example
 * parseDuration('1h30m'); // 5_400_000
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === '') return undefined;
  const ms = UNIT_MS.reduce((total, unit, i) => total + Number(match[i + 1] ?? 0) * unit, 0);
  return ms > 0 ? ms : undefined;
}
