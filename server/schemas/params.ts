// Path and query parameters shared by several routes.
import { z } from 'zod';
import { ASSET_KEY_FORMAT, isAssetKey } from '../../framework/index.ts';

/** An asset key, URL-encoded or as a plain path: `northbridge%2Fpositions` or `northbridge/positions`. */
export const assetKeySchema = z.string().refine(isAssetKey, `malformed asset key; expected ${ASSET_KEY_FORMAT}`);

export const keyParams = z.object({ key: assetKeySchema });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const idSchema = z.string().regex(UUID, 'expected a UUID');
export const idParams = z.object({ id: idSchema });

/** A partition key or a date; validated against the asset's partitions by the handler. */
export const partitionParam = z.string().min(1).max(400);

/** An optional integer query parameter within bounds. */
export function intParam(min: number, max: number, fallback: number) {
  return z.coerce.number().int().min(min).max(max).default(fallback);
}
