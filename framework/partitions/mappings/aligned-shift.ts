import type { PartitionsDefinition, PartitionsSpec } from '../definition.ts';
import { sameKeySpace } from '../definition.ts';
import { VirtualAxis } from './virtual-axis.ts';

/**
 * How two definitions of one ordered axis line up: downstream index `d` is upstream index
 * `d + shift`. They are the same key space, or the same sessions or the same time windows with
 * different bounds (positions of an asset that started later than its P&L, say). Undefined when
 * they are not one axis.
 */
export function alignedShift(downstream: PartitionsDefinition, upstream: PartitionsDefinition): number | undefined {
  if (sameKeySpace(downstream, upstream)) return 0;
  if (!sameGrid(downstream.spec, upstream.spec)) return undefined;
  if (downstream.size() === 0 || upstream.size() === 0) return undefined;
  const inUpstream = upstream.tryIndexOf(downstream.keyAt(0));
  if (inUpstream >= 0) return inUpstream;
  const inDownstream = downstream.tryIndexOf(upstream.keyAt(0));
  if (inDownstream >= 0) return -inDownstream;
  // Disjoint ranges: count the partitions between them through the calendar or the cadence.
  const start = downstream.time?.windowStart(0);
  if (start === undefined) return undefined;
  const axis = new VirtualAxis(upstream);
  if (!axis.extended) return undefined;
  const position = axis.firstStartingAtOrAfter(start);
  return axis.windowStart(position) === start && axis.keyAt(position) === downstream.keyAt(0) ? position : undefined;
}

/** Same kind of ordered axis, bounds aside. */
function sameGrid(a: PartitionsSpec, b: PartitionsSpec): boolean {
  if (a.kind === 'sessions' && b.kind === 'sessions') return a.calendar === b.calendar;
  if (a.kind === 'time-window' && b.kind === 'time-window') {
    return a.cadence === b.cadence && a.timeZone === b.timeZone && (a.cadence !== 'weekly' || a.weekStart === b.weekStart);
  }
  return false;
}
