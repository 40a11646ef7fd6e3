import { allPartitions, dimensions, identity, multi, offset, previousSession, sessions, staticKeys, window } from '../../../../framework/index.ts';
import type { PartitionMapping, PartitionsDefinition } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { upstreamIndexes } from './mapping-contract.ts';

// Edges between multi-partitioned definitions that reach every path of the per-dimension mapping:
// index arithmetic (one or more shifted dimensions), broadcast, reduced, renamed and reordered
// dimensions, missing upstream keys, and 1-D mappings that are not shifts.

/** A downstream dimension, the upstream dimension it maps to, and the 1-D mapping between them. */
export type DimensionEntry = readonly [downstream: string, upstream: string, mapping: PartitionMapping];

export interface DimensionCase {
  readonly name: string;
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly entries: readonly DimensionEntry[];
}

const calendar = xnys();
const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });
const later = sessions(calendar, { start: '2026-03-02', end: '2026-12-31' });
const portfolios = staticKeys(['PF001', 'PF002', 'PF003']);
const brokers = staticKeys(['GSCO', 'JPMS', 'MSCO', 'BARC']);
const positions = multi({ date: days, portfolio: portfolios });
const trades = multi({ date: days, portfolio: portfolios, broker: brokers });
const risk = multi({ book: staticKeys(['EQ', 'FX']), trade_date: days, broker: brokers });
const feed = multi({ date: days, broker: staticKeys(Array.from({ length: 30 }, (_, i) => `B${String(i).padStart(2, '0')}`)) });

export const dimensionCases: readonly DimensionCase[] = [
  {
    name: 'previous session, same portfolio',
    downstream: positions,
    upstream: positions,
    entries: [['date', 'date', previousSession()], ['portfolio', 'portfolio', identity()]],
  },
  {
    name: 'three dimensions, first and last shifted',
    downstream: trades,
    upstream: trades,
    entries: [['date', 'date', previousSession()], ['portfolio', 'portfolio', identity()], ['broker', 'broker', offset(1)]],
  },
  {
    name: 'three dimensions, middle shifted',
    downstream: trades,
    upstream: trades,
    entries: [['date', 'date', identity()], ['portfolio', 'portfolio', offset(-1)], ['broker', 'broker', identity()]],
  },
  { name: 'portfolio broadcast', downstream: positions, upstream: days, entries: [['date', 'date', previousSession()]] },
  {
    name: 'trailing broker broadcast',
    downstream: trades,
    upstream: positions,
    entries: [['date', 'date', identity()], ['portfolio', 'portfolio', identity()]],
  },
  {
    name: 'trailing broker reduced',
    downstream: positions,
    upstream: trades,
    entries: [['date', 'date', previousSession()], ['portfolio', 'portfolio', identity()]],
  },
  {
    name: 'renamed, reordered, reduced and broadcast',
    downstream: positions,
    upstream: risk,
    entries: [['date', 'trade_date', window({ size: 2, end: -1 })]],
  },
  { name: 'renamed the other way', downstream: risk, upstream: positions, entries: [['trade_date', 'date', previousSession()]] },
  {
    name: 'window with missing dates over 30 brokers',
    downstream: positions,
    upstream: feed,
    entries: [['date', 'date', window({ size: 2 })]],
  },
  {
    name: 'upstream starting later',
    downstream: positions,
    upstream: multi({ date: later, portfolio: portfolios }),
    entries: [['date', 'date', identity()], ['portfolio', 'portfolio', identity()]],
  },
  {
    name: 'every portfolio',
    downstream: positions,
    upstream: positions,
    entries: [['date', 'date', identity()], ['portfolio', 'portfolio', allPartitions()]],
  },
  {
    name: 'date second, upstream starting later',
    downstream: multi({ portfolio: portfolios, date: days }),
    upstream: multi({ portfolio: portfolios, date: later }),
    entries: [['portfolio', 'portfolio', identity()], ['date', 'date', previousSession()]],
  },
  { name: 'every date, portfolio broadcast', downstream: positions, upstream: days, entries: [['date', 'date', allPartitions()]] },
  {
    name: 'portfolios looked up by key',
    downstream: positions,
    upstream: multi({ date: days, portfolio: staticKeys(['PF002', 'PF003', 'PF004']) }),
    entries: [['date', 'date', offset(1)], ['portfolio', 'portfolio', identity()]],
  },
];

/** The `dimensions()` mapping of some entries. */
export function mappingOf(entries: readonly DimensionEntry[]): PartitionMapping {
  return dimensions(Object.fromEntries(entries.map(([down, up, mapping]) => [down, down === up ? mapping : { upstream: up, mapping }])));
}

/**
 * What a per-dimension mapping reads, from keys and the 1-D mappings alone: the product over the
 * upstream dimensions of the keys each one's mapping gives, or of all its keys when none maps to it.
 */
export function readsByKeys({ downstream, upstream, entries }: DimensionCase): (downstreamIndex: number) => number[] {
  const downDims = downstream.dimensions ?? [{ name: entries[0]![0], definition: downstream }];
  const upDims = upstream.dimensions ?? [{ name: entries[0]![1], definition: upstream }];
  const mapped = upDims.map((up) => {
    const entry = entries.find(([, target]) => target === up.name);
    if (!entry) return undefined;
    const position = downDims.findIndex((down) => down.name === entry[0]);
    return { position, bound: entry[2].bind(downDims[position]!.definition, up.definition) };
  });
  return (downstreamIndex) => {
    const parts = downDims.length > 1 ? downstream.keyAt(downstreamIndex).split('|') : [downstream.keyAt(downstreamIndex)];
    let keys: string[][] = [[]];
    upDims.forEach((up, k) => {
      const map = mapped[k];
      const options = map
        ? upstreamIndexes(map.bound, map.bound.downstream.indexOf(parts[map.position]!)).map((u) => up.definition.keyAt(u))
        : Array.from({ length: up.definition.size() }, (_, u) => up.definition.keyAt(u));
      keys = keys.flatMap((prefix) => options.map((option) => [...prefix, option]));
    });
    return keys.map((key) => upstream.indexOf(key.join('|'))).sort((a, b) => a - b);
  };
}
