import { describe, expect, it } from 'vitest';
import { unpartitioned } from '../../../../framework/index.ts';
import { expectLaws, expectPartitionError } from './laws.ts';

describe('unpartitioned', () => {
  it('has the one empty key at index 0, ended at any time', () => {
    expect(unpartitioned.size()).toBe(1);
    expect(unpartitioned.keyAt(0)).toBe('');
    expect(unpartitioned.indexOf('')).toBe(0);
    expect(unpartitioned.countEndedBy(0)).toBe(1);
    expect(unpartitioned.spec).toEqual({ kind: 'unpartitioned' });
    expect(unpartitioned.time).toBeUndefined();
    expect(unpartitioned.dimensions).toBeUndefined();
    expectLaws(unpartitioned, [0]);
  });

  it('rejects any other key, naming the format', () => {
    expectPartitionError(() => unpartitioned.indexOf('2026-11-20'), 'invalid-partition-key',
      `unpartitioned: "2026-11-20" is not a partition key (an unpartitioned asset has only the empty key); expected ''`);
    expect(unpartitioned.tryIndexOf('null')).toBe(-1);
  });
});
