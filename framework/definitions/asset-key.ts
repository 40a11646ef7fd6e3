import { DefinitionError } from '../util/errors.ts';

/** Asset keys are lower-case path segments: `northbridge/positions`. They become paths, S3 keys and SQL names. */
export const ASSET_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
export const ASSET_KEY_FORMAT = 'lower-case segments of a-z, 0-9, _ and - joined by "/", e.g. northbridge/positions';

export function isAssetKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= 200 && ASSET_KEY_PATTERN.test(key);
}

export function assertAssetKey(key: unknown, where: string): asserts key is string {
  if (!isAssetKey(key)) {
    throw new DefinitionError('invalid-definition', `${where}: malformed asset key ${JSON.stringify(key)}; expected ${ASSET_KEY_FORMAT}`, {
      field: 'key',
    });
  }
}

/** The default SQL relation name of an asset: its last key segment with `-` as `_` (`northbridge/fx-rates` → `fx_rates`). */
export function relationNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1).replaceAll('-', '_');
}
