import type { PartitionsDefinition } from '../definition.ts';
import { badKey, inRange, indexOutOfRange } from './keys.ts';

/**
 * The key space of an asset that is not partitioned: one partition whose key is `''` (the CLI and
 * the API show it as null). It has no time axis, so its one partition counts as ended at any time.
 *
 * @example
 * defineAsset({ key: 'northbridge/instruments', partitions: unpartitioned, ... });
 * unpartitioned.keyAt(0); // ''
 */
export const unpartitioned: PartitionsDefinition = Object.freeze({
  spec: Object.freeze({ kind: 'unpartitioned' as const }),
  description: 'unpartitioned',
  keyFormat: "'' (the empty key: an unpartitioned asset has one partition)",
  size: () => 1,
  countEndedBy: () => 1,
  indexOf(key: string): number {
    if (key !== '') throw badKey(unpartitioned, key, 'an unpartitioned asset has only the empty key');
    return 0;
  },
  tryIndexOf: (key: string) => (key === '' ? 0 : -1),
  keyAt(index: number): string {
    if (!inRange(index, 1)) throw indexOutOfRange(unpartitioned, index);
    return '';
  },
  time: undefined,
  dimensions: undefined,
});
