import { describe, expect, it } from 'vitest';
import type { PartitionsDefinition } from '../../../../framework/index.ts';
import { downstreamOfDense, upstreamOfDense } from '../../../../framework/partitions/mappings/dimensions-dense.ts';
import type { DimensionsLayout } from '../../../../framework/partitions/mappings/dimensions-layout.ts';
import { layoutOf } from '../../../../framework/partitions/mappings/dimensions-layout.ts';
import { downstreamOfSparse, isSparse, upstreamOfSparse } from '../../../../framework/partitions/mappings/dimensions-sparse.ts';
import { dimensionCases } from './dimension-cases.ts';
import type { DimensionCase } from './dimension-cases.ts';
import { random, subsetOfCount, subsetSizes } from './mapping-contract.ts';

// The sparse paths must be indistinguishable from the dense ones, missing keys and their order
// included, so both are run here on the same subsets rather than through the size threshold.

function layoutFor({ downstream, upstream, entries }: DimensionCase): DimensionsLayout {
  const dimsOf = (definition: PartitionsDefinition, name: string) => definition.dimensions ?? [{ name, definition }];
  const downDims = dimsOf(downstream, entries[0]![0]);
  const upDims = dimsOf(upstream, entries[0]![1]);
  const pairs = entries
    .map(([down, up, mapping]) => {
      const d = downDims.findIndex((dim) => dim.name === down);
      const u = upDims.findIndex((dim) => dim.name === up);
      return { downstream: d, upstream: u, bound: mapping.bind(downDims[d]!.definition, upDims[u]!.definition) };
    })
    .sort((a, b) => a.downstream - b.downstream);
  return layoutOf({ pairs, downDims, upDims, joined: upstream.dimensions !== undefined });
}

describe('dimensions, sparse paths', () => {
  it('find the same partitions and missing keys as the dense paths on subsets of every size', () => {
    dimensionCases.forEach((example, seed) => {
      const layout = layoutFor(example);
      const next = random(100 + seed);
      for (const run of [false, true]) {
        for (const count of subsetSizes(layout.downTotal)) {
          const downstream = subsetOfCount(layout.downTotal, count, next, run);
          const sparse = upstreamOfSparse(layout, downstream);
          const dense = upstreamOfDense(layout, downstream);
          const label = `${example.name}: upstreamOf ${count} partitions`;
          expect([...sparse.subset.ranges()], label).toEqual([...dense.subset.ranges()]);
          expect(sparse.missing, label).toEqual(dense.missing);
        }
        for (const count of subsetSizes(layout.upTotal)) {
          const upstream = subsetOfCount(layout.upTotal, count, next, run);
          const label = `${example.name}: downstreamOf ${count} partitions`;
          expect([...downstreamOfSparse(layout, upstream).ranges()], label).toEqual([...downstreamOfDense(layout, upstream).ranges()]);
        }
      }
    });
  });

  it('name the missing previous sessions of the first date for the selected portfolios only', () => {
    const example = dimensionCases.find((candidate) => candidate.name === 'window with missing dates over 30 brokers')!;
    const layout = layoutFor(example);
    const firstDate = subsetOfCount(layout.downTotal, 2, () => 0, true);
    const { missing, subset } = upstreamOfSparse(layout, firstDate);
    expect(subset.count()).toBe(30);
    expect(missing.slice(0, 2)).toEqual(['2025-12-31|B00', '2025-12-31|B01']);
    expect(missing[20]).toBe('… and 10 more');
    expect(missing).toEqual(upstreamOfDense(layout, firstDate).missing);
  });

  it('are chosen for at most 1/64 of the key space', () => {
    const next = random(9);
    expect(isSparse(subsetOfCount(6400, 0, next, false))).toBe(true);
    expect(isSparse(subsetOfCount(6400, 100, next, false))).toBe(true);
    expect(isSparse(subsetOfCount(6400, 101, next, true))).toBe(false);
    expect(isSparse(subsetOfCount(6400, 6400, next, true))).toBe(false);
  });
});
