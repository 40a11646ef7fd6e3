import { PartitionSubset } from '../subset.ts';

/**
 * The subset of some indexes in any order, repeats allowed and those outside the universe ignored.
 * `PartitionSubset.indexes` costs a bitset of the whole universe, so a few indexes are sorted
 * instead, in time proportional to their count. Sorts `indexes` in place.
 */
export function subsetOfIndexes(universe: number, indexes: number[]): PartitionSubset {
  if (indexes.length * 64 > universe) return PartitionSubset.indexes(universe, indexes);
  indexes.sort((a, b) => a - b);
  return PartitionSubset.ascending(universe, indexes);
}
