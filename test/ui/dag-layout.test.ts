import { describe, expect, it } from 'vitest';
import { layoutDag, type DagLayout, type LayoutEdge } from '../../ui/src/graph/dag-layout.ts';

const e = (from: string, to: string): LayoutEdge => ({ from, to });

// The NorthBridge graph, as the server's lineage lists it.
const NORTHBRIDGE: LayoutEdge[] = [
  e('security-master-file', 'securities'),
  e('fx-rates-file', 'fx-rates'),
  e('broker-executions', 'executions'),
  e('executions', 'positions'),
  e('positions', 'positions'),
  e('closing-prices-file', 'prices'),
  e('positions', 'pnl'),
  e('prices', 'pnl'),
  e('fx-rates', 'pnl'),
  e('positions', 'risk-positions-file'),
  e('prices', 'risk-positions-file'),
  e('fx-rates', 'risk-positions-file'),
  e('securities', 'risk-positions-file'),
  e('pnl', 'finance-pnl-file'),
];
const NORTHBRIDGE_NODES = [...new Set(NORTHBRIDGE.flatMap((edge) => [edge.from, edge.to]))];

function overlaps(layout: DagLayout, nodeHeight: number): string[] {
  const found: string[] = [];
  const nodes = [...layout.nodes.values()];
  for (const a of nodes) {
    for (const b of nodes) {
      if (a.id < b.id && a.layer === b.layer && Math.abs(a.y - b.y) < nodeHeight) found.push(`${a.id} / ${b.id}`);
    }
  }
  return found;
}

describe('layoutDag', () => {
  it('puts every node right of its upstream nodes and keeps nodes of one column apart', () => {
    const layout = layoutDag(NORTHBRIDGE_NODES, NORTHBRIDGE, { nodeHeight: 36, nodeGap: 10 });
    for (const edge of NORTHBRIDGE.filter((x) => x.from !== x.to)) {
      expect(layout.nodes.get(edge.to)!.layer, `${edge.from} -> ${edge.to}`).toBeGreaterThan(layout.nodes.get(edge.from)!.layer);
    }
    expect(overlaps(layout, 36)).toEqual([]);
    expect(layout.nodes.get('finance-pnl-file')!.layer).toBe(4);
    for (const node of layout.nodes.values()) {
      expect(node.y).toBeGreaterThanOrEqual(18);
      expect(node.y).toBeLessThanOrEqual(layout.height - 18);
    }
  });

  it('moves a source next to its only consumer instead of the first column', () => {
    const layout = layoutDag(NORTHBRIDGE_NODES, NORTHBRIDGE);
    expect(layout.nodes.get('closing-prices-file')!.layer).toBe(layout.nodes.get('prices')!.layer - 1);
    expect(layout.nodes.get('security-master-file')!.layer).toBe(layout.nodes.get('securities')!.layer - 1);
  });

  it('reports an asset that reads its own earlier partitions as a self-loop, not as an edge', () => {
    const layout = layoutDag(NORTHBRIDGE_NODES, NORTHBRIDGE);
    expect([...layout.selfLoops]).toEqual(['positions']);
    expect(layout.edges.some((edge) => edge.from === edge.to)).toBe(false);
    expect(layout.edges).toHaveLength(NORTHBRIDGE.length - 1);
  });

  it('untangles crossings that the input order would make', () => {
    // In input order, a1 -> b2 and a2 -> b1 cross; the sweep swaps one column.
    const layout = layoutDag(['a1', 'a2', 'b1', 'b2', 'c1', 'c2'], [e('a1', 'b2'), e('a2', 'b1'), e('b1', 'c1'), e('b2', 'c2')]);
    expect(layout.crossings).toBe(0);
    const order = (id: string) => layout.nodes.get(id)!.order;
    expect(Math.sign(order('a1') - order('a2'))).toBe(Math.sign(order('b2') - order('b1')));
  });

  it('routes an edge that skips columns through one point per skipped column, left to right', () => {
    const layout = layoutDag(['a', 'b', 'c', 'd'], [e('a', 'b'), e('b', 'c'), e('c', 'd'), e('a', 'd')]);
    const long = layout.edges.find((edge) => edge.from === 'a' && edge.to === 'd')!;
    expect(long.points).toHaveLength(4);
    const xs = long.points.map((point) => point.x);
    expect([...xs].sort((x, y) => x - y)).toEqual(xs);
  });

  it('lays out a cycle by drawing its closing edge backwards, instead of looping forever', () => {
    const layout = layoutDag(['a', 'b', 'c'], [e('a', 'b'), e('b', 'c'), e('c', 'a')]);
    expect(layout.edges.filter((edge) => edge.reversed).map((edge) => `${edge.from}->${edge.to}`)).toEqual(['c->a']);
    expect(new Set([...layout.nodes.values()].map((node) => node.layer)).size).toBe(3);
  });

  it('lays out a graph of 200 assets without overlaps', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `asset-${i}`);
    const edges = ids.slice(20).flatMap((id, i) => [e(ids[i % 20 + Math.floor(i / 20) * 20]!, id), e(ids[(i * 7) % (i + 20)]!, id)]);
    const layout = layoutDag(ids, edges, { nodeHeight: 30, nodeGap: 8 });
    expect(layout.nodes.size).toBe(200);
    expect(overlaps(layout, 30)).toEqual([]);
  });
});
