import { DefinitionError } from '../util/errors.ts';
import type { AssetDefinition } from './asset.ts';

/**
 * Rejects two assets whose targets would write the same table: a target names its tables after
 * asset keys, and that naming folds `-` and `_` (and `/` and `__`) together, so two such assets
 * would silently replace each other's rows.
 */
export function assertDistinctDestinations(assets: readonly AssetDefinition[]): void {
  const owners = new Map<string, string>();
  for (const asset of assets) {
    for (const target of asset.publish) {
      const destination = target.destinationOf?.(asset.key);
      if (destination === undefined) continue;
      const owner = owners.get(destination);
      if (owner !== undefined && owner !== asset.key) {
        throw new DefinitionError(
          'invalid-definition',
          `asset "${asset.key}": field "publish": assets "${owner}" and "${asset.key}" would both publish to ${destination} (target ${target.name}); ` +
            'rename one, or give one of them a target with a table of its own',
          { asset: asset.key, field: 'publish' },
        );
      }
      owners.set(destination, asset.key);
    }
  }
}
