import type { Definitions } from '../../definitions/definitions.ts';
import type { PartitionDimension } from '../../partitions/definition.ts';
import type { PartitionRequest } from '../../planner/partition-request.ts';
import { formatDay } from '../../util/dates.ts';
import { utcToZoned } from '../../util/time-zone.ts';
import type { SensorRequest } from './sensor.ts';

/** A detection not yet requested: its event id and source partition. */
export interface PendingDetection {
  readonly id: string;
  readonly asset: string;
  readonly partition: string;
}

/**
 * Groups detected source partitions into few runs of `source+`. Per source, detections with the same
 * values of the dimensions that are not time (a broker) make one `where` filter, and their time
 * values, merged into runs of consecutive partitions, make `from`/`to` dates: one run for a day's
 * files of one broker, one for a week of re-sent files. The planner maps the `where` filter through
 * the graph, so downstream assets without the dimension get exactly the partitions that read the
 * detected ones. Sub-daily windows are requested by whole days, as `from`/`to` are dates. Detections
 * of assets the definitions no longer have are left out.
 *
 * @example
 * groupRequests(definitions, [{ id, asset: 'northbridge/broker-executions', partition: '2026-11-20|GSCO' }]);
 * // [{ selection: 'northbridge/broker-executions+', partitions: { from: '2026-11-20', to: '2026-11-20', where: { broker: 'GSCO' } }, events: [id] }]
 */
export function groupRequests(definitions: Definitions, pending: readonly PendingDetection[]): SensorRequest[] {
  const groups = new Map<string, { asset: string; partitions: PartitionRequest; time: Map<number, string[]>; events: string[] }>();
  for (const detection of pending) {
    const asset = definitions.has(detection.asset) ? definitions.get(detection.asset) : undefined;
    const index = asset?.partitions.tryIndexOf(detection.partition) ?? -1;
    if (asset === undefined || index < 0) continue;
    const definition = asset.partitions;
    const dimensions: readonly PartitionDimension[] = definition.dimensions ?? (definition.spec.kind === 'unpartitioned' ? [] : [{ name: '', definition }]);
    const values = definition.dimensions ? detection.partition.split('|') : [detection.partition];
    const timeAt = dimensions.findIndex((dimension) => dimension.definition.time !== undefined);
    const where: Record<string, string> = {};
    let partitions: PartitionRequest = {};
    dimensions.forEach((dimension, k) => {
      if (k === timeAt) return;
      // A single dimension without a time axis (static keys) has no name to filter on: its key is the request.
      if (dimension.name === '') partitions = { partition: values[k]! };
      else where[dimension.name] = values[k]!;
    });
    if (Object.keys(where).length > 0) partitions = { ...partitions, where };
    const id = `${asset.key}\u0000${JSON.stringify(partitions)}`;
    let group = groups.get(id);
    if (group === undefined) groups.set(id, (group = { asset: asset.key, partitions, time: new Map(), events: [] }));
    if (timeAt < 0) {
      group.events.push(detection.id);
      continue;
    }
    const timeIndex = dimensions[timeAt]!.definition.tryIndexOf(values[timeAt]!);
    group.time.set(timeIndex, [...(group.time.get(timeIndex) ?? []), detection.id]);
  }
  const requests: SensorRequest[] = [];
  for (const group of groups.values()) {
    const selection = `${group.asset}+`;
    if (group.time.size === 0) {
      requests.push({ selection, partitions: group.partitions, events: group.events });
      continue;
    }
    const definition = definitions.get(group.asset).partitions;
    const axis = (definition.dimensions?.find((dimension) => dimension.definition.time !== undefined)?.definition ?? definition).time!;
    const day = (epochMs: number) => formatDay(utcToZoned(axis.timeZone, epochMs).day);
    const indexes = [...group.time.keys()].sort((a, b) => a - b);
    for (let start = 0; start < indexes.length; ) {
      let end = start;
      while (end + 1 < indexes.length && indexes[end + 1] === indexes[end]! + 1) end++;
      const events = indexes.slice(start, end + 1).flatMap((index) => group.time.get(index)!);
      const range = { from: day(axis.windowStart(indexes[start]!)), to: day(axis.windowEnd(indexes[end]!) - 1) };
      requests.push({ selection, partitions: { ...range, ...group.partitions }, events });
      start = end + 1;
    }
  }
  return requests;
}
