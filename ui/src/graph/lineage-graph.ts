// The lineage picture: a left-to-right DAG in SVG, one box per asset coloured by its status,
// the focused asset outlined. Clicking a box navigates to that asset.
import { el, svg } from '../dom.ts';
import { statusColour } from '../status.ts';
import { layoutDag, type LayoutEdge } from './dag-layout.ts';

/** One asset in the picture. */
export interface LineageNode {
  readonly key: string;
  /** A partition status or `unknown`; colours the box's stripe. */
  readonly status: string;
  /** `source` boxes are drawn dashed. */
  readonly kind?: 'asset' | 'source';
  /** Shown under the name, e.g. `3 stale of 60`. */
  readonly note?: string;
}

/** Options of `createLineageGraph`. */
export interface LineageGraphOptions {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LayoutEdge[];
  /** The asset the page is about. */
  readonly focus?: string;
  /** The URL (hash) of an asset's page. */
  readonly link: (key: string) => string;
  /** Scale a wide graph down to the width available instead of scrolling it (for neighbourhoods). */
  readonly fit?: boolean;
}

const NODE_WIDTH = 196;
const NODE_HEIGHT = 42;
const PAD = 16;

/**
 * Draws the graph; returns a scrollable element holding the SVG and its legend.
 * @example createLineageGraph({ nodes, edges, focus: 'northbridge/pnl', link: (key) => `#/assets/${key}` })
 */
export function createLineageGraph({ nodes, edges, focus, link, fit = false }: LineageGraphOptions): HTMLElement {
  const layout = layoutDag(
    nodes.map((node) => node.key),
    edges,
    { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT, layerGap: 64, nodeGap: 14 },
  );
  const width = layout.width + PAD * 2;
  const height = layout.height + PAD * 2;
  const picture = svg('svg', {
    class: `lineage${fit ? ' lineage-fit' : ''}`,
    width,
    height,
    viewBox: `${-PAD} ${-PAD} ${width} ${height}`,
    role: 'img',
    'aria-label': `lineage of ${focus ?? 'the catalog'}`,
    'data-testid': 'lineage-graph',
  });
  picture.append(
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8a94a3' }))),
  );
  for (const edge of layout.edges) {
    const touchesFocus = edge.from === focus || edge.to === focus;
    picture.append(
      svg('path', {
        d: curve(edge.points),
        class: `edge${touchesFocus ? ' edge-focus' : ''}${edge.reversed ? ' edge-back' : ''}`,
        'marker-end': 'url(#arrow)',
      }, svg('title', {}, `${edge.from} → ${edge.to}`)),
    );
  }
  const byKey = new Map(nodes.map((node) => [node.key, node]));
  for (const placed of layout.nodes.values()) {
    const node = byKey.get(placed.id)!;
    const x = placed.x - NODE_WIDTH / 2;
    const y = placed.y - NODE_HEIGHT / 2;
    const slash = node.key.lastIndexOf('/');
    const name = node.key.slice(slash + 1);
    const group = svg(
      'a',
      { href: link(node.key), class: `node${node.key === focus ? ' node-focus' : ''}${node.kind === 'source' ? ' node-source' : ''}`, 'data-asset': node.key },
      svg('title', {}, `${node.key}: ${node.status}${node.note ? ` (${node.note})` : ''}`),
      svg('rect', { x, y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6, class: 'node-box' }),
      svg('rect', { x, y, width: 6, height: NODE_HEIGHT, rx: 2, fill: statusColour(node.status), class: 'node-stripe' }),
      svg('text', { x: x + 14, y: y + (node.note ? 17 : 25), class: 'node-name' }, clip(name, 24)),
      node.note ? svg('text', { x: x + 14, y: y + 32, class: 'node-note' }, clip(node.note, 30)) : null,
    );
    if (layout.selfLoops.has(node.key)) {
      const right = x + NODE_WIDTH - 22;
      group.append(
        svg('path', { d: `M ${right} ${y} C ${right - 4} ${y - 16}, ${right + 18} ${y - 16}, ${right + 14} ${y}`, class: 'edge self-loop', 'marker-end': 'url(#arrow)' }, svg('title', {}, `${node.key} reads its own earlier partitions`)),
      );
    }
    picture.append(group);
  }
  return el('div', { class: 'lineage-scroll' }, picture);
}

/** A smooth path through the routed points: horizontal tangents at every point. */
function curve(points: readonly { x: number; y: number }[]): string {
  const [start, ...rest] = points;
  if (start === undefined) return '';
  let d = `M ${start.x} ${start.y}`;
  let previous = start;
  for (const point of rest) {
    const dx = (point.x - previous.x) / 2;
    d += ` C ${previous.x + dx} ${previous.y}, ${point.x - dx} ${point.y}, ${point.x} ${point.y}`;
    previous = point;
  }
  return d;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
