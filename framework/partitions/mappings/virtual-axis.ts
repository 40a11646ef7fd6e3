import type { PartitionsDefinition } from '../definition.ts';
import { formatDay, tryParseDay } from '../../util/dates.ts';
import { utcToZoned, zoneOffsetMinutes, zonedToUtc, zonedToUtcAll } from '../../util/time-zone.ts';
import { lowerBound } from '../../util/lower-bound.ts';

const MINUTE_MS = 60_000;
const STEP_MINUTES: Readonly<Record<string, number>> = { '15-minute': 15, hourly: 60 };

/**
 * An ordered definition extended past both ends, so that a mapping can name the keys it needs but
 * that do not exist (the session before the first one) and place their windows in time. Positions
 * in `[0, size)` are the definition's own indexes.
 *
 * Sessions extend through their calendar and time windows through their cadence. The extension is
 * used only when it reproduces the definition's own first and last keys and windows; otherwise
 * positions outside are described rather than named, and have no window.
 */
export class VirtualAxis {
  readonly #definition: PartitionsDefinition;
  readonly #size: number;
  readonly #extension: Extension | undefined;

  constructor(definition: PartitionsDefinition) {
    this.#definition = definition;
    this.#size = definition.size();
    this.#extension = this.#size > 0 ? verified(definition, extensionOf(definition), this.#size) : undefined;
  }

  /** Whether positions outside the definition have windows. */
  get extended(): boolean {
    return this.#extension !== undefined;
  }

  /** The key at a position, or a description of it when it cannot be named. */
  keyAt(position: number): string {
    if (position >= 0 && position < this.#size) return this.#definition.keyAt(position);
    const named = this.#extension?.keyAt(position);
    if (named !== undefined) return named;
    const definition = this.#definition;
    if (this.#size === 0) return `(partition ${position + 1} of ${definition.description}, which has no keys yet)`;
    return position < 0
      ? `(${-position} ${plural(-position)} before ${definition.keyAt(0)}, the first of ${definition.description})`
      : `(${position - this.#size + 1} ${plural(position - this.#size + 1)} after ${definition.keyAt(this.#size - 1)}, the last of ${definition.description})`;
  }

  /** Start of the window at a position, epoch ms, or undefined when it is unknown. */
  windowStart(position: number): number | undefined {
    if (position >= 0 && position < this.#size) return this.#definition.time?.windowStart(position);
    return this.#extension?.window(position)?.[0];
  }

  /** End (exclusive) of the window at a position, epoch ms, or undefined when it is unknown. */
  windowEnd(position: number): number | undefined {
    if (position >= 0 && position < this.#size) return this.#definition.time?.windowEnd(position);
    return this.#extension?.window(position)?.[1];
  }

  /**
   * The smallest position whose window starts at or after `epochMs`, searching outside the
   * definition when it is extended. Window starts ascend with the position.
   */
  firstStartingAtOrAfter(epochMs: number): number {
    const size = this.#size;
    const startsBefore = (position: number): boolean => {
      const start = this.windowStart(position);
      // Beyond the calendar's known dates there are no windows: before it counts as "earlier", after as "later".
      return start === undefined ? position < 0 : start < epochMs;
    };
    if (size === 0) return 0;
    if (!Number.isFinite(epochMs)) return epochMs > 0 ? size : 0;
    let lo: number;
    let hi: number;
    if (!startsBefore(0)) {
      if (!this.extended || startsBefore(-1)) return 0;
      let step = 2;
      while (!startsBefore(-step)) step *= 2;
      lo = -step + 1;
      hi = -step / 2;
      // Invariant: startsBefore(lo - 1) and !startsBefore(hi); find the first position not starting before.
    } else if (startsBefore(size - 1)) {
      if (!this.extended || !startsBefore(size)) return size;
      let step = 2;
      while (startsBefore(size - 1 + step)) step *= 2;
      lo = size - 1 + step / 2 + 1;
      hi = size - 1 + step;
    } else {
      lo = 1;
      hi = size - 1;
    }
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (startsBefore(mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function plural(count: number): string {
  return count === 1 ? 'partition' : 'partitions';
}

interface Extension {
  keyAt(position: number): string | undefined;
  window(position: number): readonly [number, number] | undefined;
}

function extensionOf(definition: PartitionsDefinition): Extension | undefined {
  const { spec, time } = definition;
  const size = definition.size();
  if (!time) return undefined;
  const zone = time.timeZone;
  if (spec.kind === 'sessions') {
    const calendar = time.calendar;
    const first = tryParseDay(definition.keyAt(0));
    if (!calendar || first === undefined) return undefined;
    const days = calendar.sessionDays();
    const base = lowerBound(days, first);
    const dayAt = (position: number): number | undefined => {
      const at = base + position;
      return at >= 0 && at < days.length ? days[at] : undefined;
    };
    const described = (position: number): string =>
      position < 0
        ? `(a ${calendar.name} session before ${calendar.firstDate}, the first date its calendar knows)`
        : `(a ${calendar.name} session after ${calendar.lastDate}, the last date its calendar knows)`;
    return {
      keyAt(position) {
        const day = dayAt(position);
        return day === undefined ? described(position) : formatDay(day);
      },
      window(position) {
        const day = dayAt(position);
        return day === undefined ? undefined : [zonedToUtc(zone, day, 0), zonedToUtc(zone, day + 1, 0)];
      },
    };
  }
  if (spec.kind !== 'time-window') return undefined;
  if (spec.cadence === 'daily' || spec.cadence === 'weekly') {
    const step = spec.cadence === 'weekly' ? 7 : 1;
    const first = tryParseDay(definition.keyAt(0));
    if (first === undefined) return undefined;
    return {
      keyAt: (position) => formatDay(first + position * step),
      window: (position) => [zonedToUtc(zone, first + position * step, 0), zonedToUtc(zone, first + (position + 1) * step, 0)],
    };
  }
  const stepMs = (STEP_MINUTES[spec.cadence] ?? 0) * MINUTE_MS;
  if (stepMs === 0 || size === 0) return undefined;
  const start = time.windowStart(0);
  return {
    keyAt: (position) => wallKey(zone, start + position * stepMs),
    window: (position) => [start + position * stepMs, start + (position + 1) * stepMs],
  };
}

/** Keeps an extension only if it agrees with the definition at both ends. */
function verified(definition: PartitionsDefinition, extension: Extension | undefined, size: number): Extension | undefined {
  if (!extension || !definition.time) return undefined;
  for (const position of [0, size - 1]) {
    const window = extension.window(position);
    if (
      extension.keyAt(position) !== definition.keyAt(position) ||
      !window ||
      window[0] !== definition.time.windowStart(position) ||
      window[1] !== definition.time.windowEnd(position)
    ) {
      return undefined;
    }
  }
  return extension;
}

/** The key time windows give a sub-daily window: its local wall time, with the offset when clocks repeat it. */
function wallKey(zone: string, instant: number): string {
  const { day, minute } = utcToZoned(zone, instant);
  const text = `${formatDay(day)}T${twoDigits(Math.floor(minute / 60))}:${twoDigits(minute % 60)}`;
  const occurrences = zonedToUtcAll(zone, day, minute);
  if (occurrences.length < 2 || occurrences[0] === instant) return text;
  const offset = zoneOffsetMinutes(zone, instant);
  const abs = Math.abs(offset);
  return `${text}${offset < 0 ? '-' : '+'}${twoDigits(Math.floor(abs / 60))}:${twoDigits(abs % 60)}`;
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
