import type { PlannerState } from '../definitions/asset-state.ts';
import type { Definitions } from '../definitions/definitions.ts';
import { formatPartition } from '../planner/explain.ts';
import { FRESH, MISSING } from '../planner/reason.ts';

/** Where a step's expected duration comes from. */
export type DurationBasis = 'p90' | 'estimate' | 'none';

/** The expected duration of one asset's steps. */
export interface StepEstimate {
  readonly ms: number;
  readonly basis: DurationBasis;
}

/** One step on the remaining critical path, in the order it will run. */
export interface CriticalStep {
  readonly asset: string;
  readonly partition: string;
  /** Its expected duration. */
  readonly expectedMs: number;
  readonly basis: DurationBasis;
  /** What is left of it: all of it, or for a running step what remains of its expected duration. */
  readonly remainingMs: number;
  /** When the running attempt started (epoch ms); null when not running. */
  readonly startedAt: number | null;
}

export interface CriticalPathOptions {
  definitions: Definitions;
  /** The store state the reasons were computed from: which partitions failed. */
  state: PlannerState;
  /** Reason codes per asset id (as `computeReasons` gives them) over the target and all its upstream. */
  reasons: readonly (Uint8Array | undefined)[];
  /** The target: an asset id and the partitions due. */
  asset: number;
  partitions: Iterable<number>;
  estimate(asset: string): StepEstimate;
  /** Start (epoch ms) of the running attempt of a partition, keyed `asset[partition]`. */
  running: ReadonlyMap<string, number>;
  /** Partitions whose failed attempt waits to be retried, keyed `asset[partition]`: not failed for good. */
  retrying: ReadonlySet<string>;
  now: number;
}

/** The remaining work before a target is delivered. */
export interface CriticalPath {
  /** The longest chain of remaining step durations, in ms. */
  readonly remainingMs: number;
  /** That chain, first step first. */
  readonly steps: readonly CriticalStep[];
  /** Source partitions not observed yet: the work cannot start before they arrive. */
  readonly waitingFor: readonly string[];
  /** Partitions whose last attempt failed (or whose blocking check failed) and which are not running again. */
  readonly failed: readonly string[];
}

interface Node {
  readonly id: number;
  readonly index: number;
}

/**
 * The remaining critical path to a set of partitions: every partition they need, transitively, that
 * is not fresh; each takes its asset's expected duration; the longest chain wins. A running step has
 * read its inputs, so its upstream counts as done, and it needs what remains of its expected
 * duration, or, once past that, as long again as it has overrun so far: a slow step pushes the
 * expected end out steadily rather than all at once. Pure.
 *
 * @example
 * criticalPath({ definitions, state, reasons, asset: id, partitions: [index], estimate: () => ({ ms: 60_000, basis: 'p90' }), running: new Map(), retrying: new Set(), now });
 */
export function criticalPath({ definitions, state, reasons, asset, partitions, estimate, running, retrying, now }: CriticalPathOptions): CriticalPath {
  const finish = new Map<string, number>();
  const own = new Map<string, CriticalStep>();
  const via = new Map<string, string | undefined>();
  const waitingFor = new Set<string>();
  const failed = new Set<string>();
  const name = ({ id, index }: Node) => formatPartition(definitions.assets[id]!.key, definitions.assets[id]!.partitions.keyAt(index));
  const pending = (id: number, index: number) => (reasons[id]?.[index] ?? MISSING) !== FRESH;

  // Post-order without recursion: a self-dependent asset can chain thousands of partitions back.
  const walk = (root: Node): void => {
    const stack: { node: Node; key: string; upstream?: string[] }[] = [{ node: root, key: name(root) }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (finish.has(frame.key)) {
        stack.pop();
        continue;
      }
      const { id, index } = frame.node;
      const definition = definitions.assets[id]!;
      const startedAt = running.get(frame.key);
      if (definition.kind === 'source' || startedAt !== undefined) {
        stack.pop();
        if (definition.kind === 'source') {
          if (reasons[id]?.[index] === MISSING) waitingFor.add(frame.key);
          finish.set(frame.key, 0);
        } else {
          settle(frame.key, frame.node, startedAt!, []);
        }
        continue;
      }
      if (frame.upstream === undefined) {
        const upstream = upstreamOf(frame.node);
        frame.upstream = upstream.map(name);
        upstream.forEach((node, i) => {
          if (!finish.has(frame.upstream![i]!)) stack.push({ node, key: frame.upstream![i]! });
        });
        continue;
      }
      stack.pop();
      if (state.asset(definition.key)?.failed[index] === 1 && !retrying.has(frame.key)) failed.add(frame.key);
      settle(frame.key, frame.node, null, frame.upstream);
    }
  };

  const settle = (key: string, { id, index }: Node, startedAt: number | null, upstream: readonly string[]): void => {
    const definition = definitions.assets[id]!;
    const expected = estimate(definition.key);
    const elapsed = startedAt === null ? 0 : Math.max(0, now - startedAt);
    const remaining = startedAt === null ? expected.ms : elapsed <= expected.ms ? expected.ms - elapsed : elapsed - expected.ms;
    let longest = 0;
    let before: string | undefined;
    for (const up of upstream) {
      const at = finish.get(up)!;
      if (before === undefined || at > longest) {
        longest = at;
        before = up;
      }
    }
    own.set(key, { asset: definition.key, partition: definition.partitions.keyAt(index), expectedMs: expected.ms, basis: expected.basis, remainingMs: remaining, startedAt });
    via.set(key, before);
    finish.set(key, longest + remaining);
  };

  const upstreamOf = ({ id, index }: Node): Node[] => {
    const found: Node[] = [];
    for (const edge of definitions.depsOf(id)) {
      edge.mapping.forEachUpstream(index, (u) => {
        if (pending(edge.upstream, u)) found.push({ id: edge.upstream, index: u });
      });
    }
    return found;
  };

  let remainingMs = 0;
  let last: string | undefined;
  for (const index of partitions) {
    if (!pending(asset, index)) continue;
    const root = { id: asset, index };
    const key = name(root);
    walk(root);
    if (last === undefined || finish.get(key)! > remainingMs) {
      remainingMs = finish.get(key)!;
      last = key;
    }
  }
  const steps: CriticalStep[] = [];
  for (let key = last; key !== undefined; key = via.get(key)) {
    const step = own.get(key);
    if (step) steps.unshift(step);
  }
  return { remainingMs, steps, waitingFor: [...waitingFor], failed: [...failed] };
}
