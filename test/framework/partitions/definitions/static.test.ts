import { describe, expect, it } from 'vitest';
import { staticKeys } from '../../../../framework/index.ts';
import { expectLaws, expectPartitionError, indexesToCheck, keysBetween } from './laws.ts';

describe('staticKeys', () => {
  const portfolios = staticKeys(['PF001', 'PF002', 'PF003']);

  it('indexes keys by their position in the list', () => {
    expect(portfolios.size()).toBe(3);
    expect(keysBetween(portfolios, 0, 3)).toEqual(['PF001', 'PF002', 'PF003']);
    expect(portfolios.indexOf('PF003')).toBe(2);
    expect(portfolios.spec).toEqual({ kind: 'static', keys: ['PF001', 'PF002', 'PF003'] });
    expect(portfolios.description).toBe('static keys PF001, PF002, PF003');
    expect(portfolios.keyFormat).toBe('one of PF001, PF002, PF003');
    expect(portfolios.countEndedBy(0)).toBe(3);
    expect(portfolios.time).toBeUndefined();
    expectLaws(portfolios, indexesToCheck(portfolios));
  });

  it('round-trips a thousand keys and lists only the first few in its description', () => {
    const many = staticKeys(Array.from({ length: 1000 }, (_, i) => `K${String(i).padStart(4, '0')}`));
    expect(many.indexOf('K0999')).toBe(999);
    expect(many.description).toBe('static keys K0000, K0001, K0002, K0003, K0004, K0005, K0006, K0007, … (1000 keys)');
    expectLaws(many, indexesToCheck(many, [[0, 1000]]));
  });

  it('does not change when the caller mutates the array it passed', () => {
    const keys = ['GS', 'MS'];
    const brokers = staticKeys(keys);
    keys.push('JPM');
    expect(brokers.size()).toBe(2);
    expect(Object.isFrozen(brokers.spec)).toBe(true);
  });

  it('rejects an unknown key, naming the definition and the format', () => {
    expectPartitionError(() => portfolios.indexOf('PF004'), 'invalid-partition-key',
      'static keys PF001, PF002, PF003: "PF004" is not a partition key (not one of the static keys); expected one of PF001, PF002, PF003');
    expect(portfolios.tryIndexOf('pf001')).toBe(-1);
  });

  it('rejects keys unsafe in paths, S3 keys, SQL or multi keys, naming the key', () => {
    for (const [key, fragment] of [
      ['a|b', '"a|b" is invalid'],
      ['../etc', '"../etc" is invalid'],
      ['.hidden', '".hidden" is invalid'],
      ['a b', '"a b" is invalid'],
      ["x';drop", `"x';drop" is invalid`],
      ['', 'must not be empty'],
      ['k'.repeat(129), 'at most 128 characters'],
    ] as const) {
      expectPartitionError(() => staticKeys(['ok', key]), 'invalid-partitions-definition', 'static keys: keys[1]', fragment);
    }
    expect(staticKeys(['k'.repeat(128), 'a.b_c-d']).size()).toBe(2);
  });

  it('rejects duplicate keys and an empty list', () => {
    expectPartitionError(() => staticKeys(['GS', 'MS', 'GS']), 'invalid-partitions-definition', 'keys[2] "GS" repeats keys[0]');
    expectPartitionError(() => staticKeys([]), 'invalid-partitions-definition', 'static keys: keys must be a non-empty array');
  });
});
