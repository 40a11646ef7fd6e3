import { z } from 'zod';

/** The manifest's name, beside the partition's object. */
export const S3_MANIFEST_FILE = '_manifest.json';
/** The partition's one data object. */
export const S3_PART_FILE = 'part-0.parquet';

const manifestSchema = z.object({
  manifestVersion: z.literal(1),
  asset: z.string(),
  partition: z.string(),
  partitionColumns: z.record(z.string(), z.string()),
  /** The data object's key in the same bucket. */
  key: z.string(),
  dataVersion: z.string(),
  /** Hex SHA-256 of the object's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  rowCount: z.number().int().nonnegative(),
  /** The object's ETag when it was written: a GET with `If-Match` gets exactly these bytes or a 412. */
  etag: z.string(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  runId: z.string(),
  publishedAt: z.string(),
});

/**
 * What `_manifest.json` holds, e.g.
 * `{"manifestVersion":1,"asset":"northbridge/positions","partition":"2026-11-20|PF001","key":"…/part-0.parquet",
 * "dataVersion":"sha256:…","sha256":"…","bytes":48213,"rowCount":120,"etag":"\"…\"","columns":[…],"runId":"…","publishedAt":"2026-11-21T10:02:03.000Z"}`.
 * It is written after the object, so it names only a complete object. See docs/publishing.md.
 */
export type S3Manifest = z.infer<typeof manifestSchema>;

/** Parses a manifest; `undefined` for text that is not one (a republish then rewrites it). */
export function parseS3Manifest(text: string): S3Manifest | undefined {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
