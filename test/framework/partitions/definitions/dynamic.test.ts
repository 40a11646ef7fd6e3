import { describe, expect, it } from 'vitest';
import { dynamicKeys } from '../../../../framework/index.ts';
import { expectLaws, expectPartitionError, indexesToCheck, keysBetween } from './laws.ts';

describe('dynamicKeys', () => {
  it('starts empty and returns only the keys that were new', () => {
    const files = dynamicKeys('pixelforge/files');
    expect(files.size()).toBe(0);
    expect(files.add(['f-001.png', 'f-002.png', 'f-001.png'])).toEqual(['f-001.png', 'f-002.png']);
    expect(files.add(['f-002.png', 'f-003.png'])).toEqual(['f-003.png']);
    expect(files.add([])).toEqual([]);
    expect(keysBetween(files, 0, 3)).toEqual(['f-001.png', 'f-002.png', 'f-003.png']);
    expect(files.has('f-003.png')).toBe(true);
    expect(files.has('f-004.png')).toBe(false);
  });

  it('keeps the index of every existing key when keys are added', () => {
    const files = dynamicKeys('pixelforge/files');
    files.add(Array.from({ length: 500 }, (_, i) => `batch1-${i}`));
    const before = [files.indexOf('batch1-0'), files.indexOf('batch1-250'), files.indexOf('batch1-499')];
    files.add(['batch1-250', ...Array.from({ length: 500 }, (_, i) => `batch2-${i}`)]);
    expect([files.indexOf('batch1-0'), files.indexOf('batch1-250'), files.indexOf('batch1-499')]).toEqual(before);
    expect(before).toEqual([0, 250, 499]);
    expect(files.indexOf('batch2-0')).toBe(500);
    expect(files.size()).toBe(1000);
    expect(files.countEndedBy(0)).toBe(1000);
    expectLaws(files, indexesToCheck(files, [[0, 1000]]));
  });

  it('adds nothing from a batch that holds an invalid key', () => {
    const files = dynamicKeys('pixelforge-files');
    files.add(['a']);
    expectPartitionError(() => files.add(['b', 'c/d', 'e']), 'invalid-partition-key',
      'dynamic keys "pixelforge-files": cannot add "c/d" (keys[1])');
    expect(files.size()).toBe(1);
    expect(files.has('b')).toBe(false);
  });

  it('describes itself by name and rejects keys not added yet', () => {
    const files = dynamicKeys('pixelforge/files');
    files.add(['x']);
    expect(files.spec).toEqual({ kind: 'dynamic', name: 'pixelforge/files' });
    expect(files.description).toBe('dynamic keys "pixelforge/files"');
    expectPartitionError(() => files.indexOf('y'), 'invalid-partition-key',
      'dynamic keys "pixelforge/files": "y" is not a partition key (not added yet; 1 key has been added); expected a key added to dynamic keys "pixelforge/files"');
    expectPartitionError(() => files.indexOf('../y'), 'invalid-partition-key', 'a key must be letters, digits');
    expect(files.tryIndexOf('y')).toBe(-1);
    expectPartitionError(() => files.keyAt(1), 'invalid-partition-key', 'index 1 is out of range; there are 1 partitions');
  });

  it('rejects names that could escape a path', () => {
    for (const name of ['', '../files', 'a//b', '/abs', 'a/', 'with space']) {
      expectPartitionError(() => dynamicKeys(name), 'invalid-partitions-definition', `dynamic keys: name ${JSON.stringify(name)} is invalid`);
    }
  });

  it('is frozen, though its key list grows', () => {
    const files = dynamicKeys('files');
    expect(Object.isFrozen(files)).toBe(true);
    files.add(['a']);
    expect(files.size()).toBe(1);
  });
});
