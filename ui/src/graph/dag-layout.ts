// A layered (Sugiyama-style) left-to-right layout for lineage graphs: layers by longest path,
// dummy nodes on long edges, barycentre sweeps against crossings, then vertical placement that
// pulls each node towards its neighbours while keeping the order. Pure: no DOM, so it is tested
// directly and reused by every graph the UI draws.

/** An edge of the graph to lay out: upstream `from`, downstream `to`. */
export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}

/** Sizes and gaps, in pixels. */
export interface LayoutOptions {
  readonly nodeWidth?: number;
  readonly nodeHeight?: number;
  /** Horizontal gap between layers. */
  readonly layerGap?: number;
  /** Vertical gap between nodes of one layer. */
  readonly nodeGap?: number;
  /** Sweeps of the barycentre ordering. */
  readonly sweeps?: number;
}

/** A placed node: its centre, its layer (column) and its rank within the layer. */
export interface PlacedNode {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly layer: number;
  readonly order: number;
}

/** A routed edge: points from the right side of `from` to the left side of `to`. */
export interface RoutedEdge {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** True for an edge that closes a cycle and was drawn against the flow. */
  readonly reversed: boolean;
}

/** The layout: placed nodes, routed edges, self-loops (an asset reading its own earlier partitions) and the size. */
export interface DagLayout {
  readonly nodes: ReadonlyMap<string, PlacedNode>;
  readonly edges: readonly RoutedEdge[];
  readonly selfLoops: ReadonlySet<string>;
  readonly width: number;
  readonly height: number;
  /** Edge crossings left after ordering (between adjacent layers). */
  readonly crossings: number;
}

interface Vertex {
  readonly id: string;
  readonly dummy: boolean;
  layer: number;
  order: number;
  y: number;
  readonly up: Vertex[];
  readonly down: Vertex[];
}

/**
 * Lays out a directed graph from left (upstream) to right (downstream).
 * @example
 * const layout = layoutDag(['a', 'b', 'c'], [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }]);
 * layout.nodes.get('c')!.layer; // 2
 */
export function layoutDag(
  nodeIds: readonly string[],
  edgeList: readonly LayoutEdge[],
  { nodeWidth = 180, nodeHeight = 36, layerGap = 70, nodeGap = 18, sweeps = 12 }: LayoutOptions = {},
): DagLayout {
  const ids = [...new Set(nodeIds)];
  const known = new Set(ids);
  const selfLoops = new Set<string>();
  const seen = new Set<string>();
  const edges: LayoutEdge[] = [];
  for (const edge of edgeList) {
    if (!known.has(edge.from) || !known.has(edge.to)) continue;
    if (edge.from === edge.to) selfLoops.add(edge.from);
    else if (!seen.has(`${edge.from}\u0000${edge.to}`)) {
      seen.add(`${edge.from}\u0000${edge.to}`);
      edges.push(edge);
    }
  }
  const reversed = backEdges(ids, edges);
  const forward = edges.map((edge) => (reversed.has(edge) ? { from: edge.to, to: edge.from } : edge));
  const layer = assignLayers(ids, forward);

  const vertices = new Map<string, Vertex>();
  for (const id of ids) vertices.set(id, { id, dummy: false, layer: layer.get(id)!, order: 0, y: 0, up: [], down: [] });
  const chains = new Map<LayoutEdge, Vertex[]>();
  for (const edge of forward) {
    const chain = [vertices.get(edge.from)!];
    for (let l = chain[0]!.layer + 1; l < vertices.get(edge.to)!.layer; l++) {
      const dummy: Vertex = { id: `\u0000${edge.from}\u0000${edge.to}\u0000${l}`, dummy: true, layer: l, order: 0, y: 0, up: [], down: [] };
      vertices.set(dummy.id, dummy);
      chain.push(dummy);
    }
    chain.push(vertices.get(edge.to)!);
    for (let k = 1; k < chain.length; k++) {
      chain[k - 1]!.down.push(chain[k]!);
      chain[k]!.up.push(chain[k - 1]!);
    }
    chains.set(edge, chain);
  }

  const layers = orderLayers([...vertices.values()], sweeps);
  const crossings = countAllCrossings(layers);
  const rowHeight = (vertex: Vertex) => (vertex.dummy ? 0 : nodeHeight);
  placeVertically(layers, rowHeight, nodeGap);

  const top = Math.min(0, ...[...vertices.values()].map((v) => v.y - rowHeight(v) / 2));
  const xOf = (l: number) => l * (nodeWidth + layerGap) + nodeWidth / 2;
  const nodes = new Map<string, PlacedNode>();
  for (const id of ids) {
    const v = vertices.get(id)!;
    nodes.set(id, { id, x: xOf(v.layer), y: v.y - top, layer: v.layer, order: v.order });
  }
  const routed: RoutedEdge[] = edges.map((edge, index) => {
    const chain = chains.get(forward[index]!)!;
    const points = chain.map((v, k) => ({
      x: xOf(v.layer) + (k === 0 ? nodeWidth / 2 : k === chain.length - 1 ? -nodeWidth / 2 : 0),
      y: v.y - top,
    }));
    const isReversed = reversed.has(edge);
    return { from: edge.from, to: edge.to, points: isReversed ? points.reverse() : points, reversed: isReversed };
  });
  const height = Math.max(0, ...[...vertices.values()].map((v) => v.y - top + rowHeight(v) / 2));
  const width = layers.length === 0 ? 0 : layers.length * nodeWidth + (layers.length - 1) * layerGap;
  return { nodes, edges: routed, selfLoops, width, height, crossings };
}

/** Edges that close cycles, found by depth-first search in input order; reversing them leaves a DAG. */
function backEdges(ids: readonly string[], edges: readonly LayoutEdge[]): Set<LayoutEdge> {
  const out = new Map<string, LayoutEdge[]>(ids.map((id) => [id, []]));
  for (const edge of edges) out.get(edge.from)!.push(edge);
  const state = new Map<string, 1 | 2>();
  const back = new Set<LayoutEdge>();
  for (const root of ids) {
    if (state.has(root)) continue;
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edge = out.get(top.id)![top.next++];
      if (edge === undefined) {
        state.set(top.id, 2);
        stack.pop();
      } else if (state.get(edge.to) === 1) back.add(edge);
      else if (!state.has(edge.to)) {
        state.set(edge.to, 1);
        stack.push({ id: edge.to, next: 0 });
      }
    }
  }
  return back;
}

/** Longest-path layers; then each source moves right to sit just before its nearest consumer. */
function assignLayers(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, number> {
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  const succs = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const { from, to } of edges) {
    preds.get(to)!.push(from);
    succs.get(from)!.push(to);
  }
  const remaining = new Map(ids.map((id) => [id, preds.get(id)!.length]));
  const queue = ids.filter((id) => remaining.get(id) === 0);
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    for (const next of succs.get(id)!) {
      layer.set(next, Math.max(layer.get(next)!, layer.get(id)! + 1));
      remaining.set(next, remaining.get(next)! - 1);
      if (remaining.get(next) === 0) queue.push(next);
    }
  }
  for (const id of ids) {
    const consumers = succs.get(id)!;
    if (preds.get(id)!.length === 0 && consumers.length > 0) layer.set(id, Math.min(...consumers.map((c) => layer.get(c)!)) - 1);
  }
  return layer;
}

/** Orders each layer by barycentre sweeps, keeping the ordering with the fewest crossings. */
function orderLayers(vertices: readonly Vertex[], sweeps: number): Vertex[][] {
  const depth = Math.max(-1, ...vertices.map((v) => v.layer)) + 1;
  const layers: Vertex[][] = Array.from({ length: depth }, () => []);
  for (const v of vertices) layers[v.layer]!.push(v);
  const renumber = (row: Vertex[]) => row.forEach((v, i) => (v.order = i));
  layers.forEach(renumber);
  let best = layers.map((row) => [...row]);
  let fewest = countAllCrossings(layers);
  for (let sweep = 0; sweep < sweeps && fewest > 0; sweep++) {
    const down = sweep % 2 === 0;
    for (let k = 1; k < depth; k++) {
      const row = layers[down ? k : depth - 1 - k]!;
      const centre = (v: Vertex) => {
        const neighbours = down ? v.up : v.down;
        return neighbours.length === 0 ? v.order : neighbours.reduce((sum, n) => sum + n.order, 0) / neighbours.length;
      };
      const keyed = row.map((v) => ({ v, key: centre(v) }));
      keyed.sort((a, b) => a.key - b.key || a.v.order - b.v.order);
      row.splice(0, row.length, ...keyed.map((entry) => entry.v));
      renumber(row);
    }
    const crossings = countAllCrossings(layers);
    if (crossings < fewest) {
      fewest = crossings;
      best = layers.map((row) => [...row]);
    }
  }
  best.forEach(renumber);
  return best;
}

function countAllCrossings(layers: readonly Vertex[][]): number {
  let total = 0;
  for (let k = 0; k + 1 < layers.length; k++) {
    const segments = layers[k]!.flatMap((v) => v.down.map((w) => [v.order, w.order] as const));
    for (let i = 0; i < segments.length; i++) {
      for (let j = i + 1; j < segments.length; j++) {
        const [a1, b1] = segments[i]!;
        const [a2, b2] = segments[j]!;
        if ((a1 - a2) * (b1 - b2) < 0) total++;
      }
    }
  }
  return total;
}

/**
 * Vertical centres: each node moves towards the mean of its neighbours, alternately upstream and
 * downstream, keeping the order and the minimum spacing.
 */
function placeVertically(layers: readonly Vertex[][], height: (v: Vertex) => number, gap: number): void {
  const spacing = (a: Vertex, b: Vertex) => (height(a) + height(b)) / 2 + gap;
  const tallest = Math.max(0, ...layers.map((row) => row.reduce((sum, v, i) => sum + (i === 0 ? 0 : spacing(row[i - 1]!, v)), 0)));
  for (const row of layers) {
    const span = row.reduce((sum, v, i) => sum + (i === 0 ? 0 : spacing(row[i - 1]!, v)), 0);
    let y = (tallest - span) / 2;
    row.forEach((v, i) => {
      if (i > 0) y += spacing(row[i - 1]!, v);
      v.y = y;
    });
  }
  for (let round = 0; round < 8; round++) {
    const useUp = round % 2 === 0;
    for (const row of useUp ? layers : [...layers].reverse()) {
      const wanted = row.map((v) => {
        const neighbours = useUp ? v.up : v.down;
        return neighbours.length === 0 ? v.y : neighbours.reduce((sum, n) => sum + n.y, 0) / neighbours.length;
      });
      // Pushing overlaps down and pushing them up both keep the order; their mean does too, unbiased.
      const down = [...wanted];
      for (let i = 1; i < row.length; i++) down[i] = Math.max(down[i]!, down[i - 1]! + spacing(row[i - 1]!, row[i]!));
      const up = [...wanted];
      for (let i = row.length - 2; i >= 0; i--) up[i] = Math.min(up[i]!, up[i + 1]! - spacing(row[i]!, row[i + 1]!));
      row.forEach((v, i) => (v.y = (down[i]! + up[i]!) / 2));
    }
  }
}
