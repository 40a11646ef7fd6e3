import type { PartitionMapping } from '../partitions/mapping.ts';

/** A dependency as declared: an asset key, or the key with a mapping and a relation name. */
export type DependencyInput = string | { asset: string; mapping?: PartitionMapping; as?: string };

/** A dependency edge of the asset graph: upstream key, mapping (declared or inferred), relation name in SQL. */
export interface DependencySpec {
  readonly asset: string;
  /** The declared mapping; when absent the graph infers one from the two partitions definitions. */
  readonly mapping: PartitionMapping | undefined;
  /** Name under which compute SQL sees the upstream partitions. */
  readonly as: string;
}
