import { isAssetKey, ASSET_KEY_FORMAT } from '../../definitions/asset-key.ts';
import { PartitionError } from '../../util/errors.ts';
import { encodePartitionValue, type PartitionValue } from '../partition-values.ts';

/** S3's rules for a bucket name that works in both URL styles: 3 to 63 of `a-z 0-9 . -`, starting and ending alphanumeric. */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A key segment Daybook writes itself (prefix parts, file names): no percent-encoding needed. */
const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;
const DIMENSION_NAME = /^[a-z][a-z0-9_]*$/;

/** What is wrong with a bucket name or key prefix, or `undefined` when both can be used. */
export function s3LocationProblem(bucket: string, prefix: string): { field: 'bucket' | 'prefix'; message: string } | undefined {
  if (typeof bucket !== 'string' || !BUCKET_PATTERN.test(bucket) || bucket.includes('..')) {
    return { field: 'bucket', message: `bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name (3 to 63 of a-z, 0-9, "." and "-")` };
  }
  if (typeof prefix !== 'string' || (prefix !== '' && !prefix.split('/').every(isSafeSegment))) {
    return {
      field: 'prefix',
      message: `prefix ${JSON.stringify(prefix)} must be segments of A-Z, a-z, 0-9, ".", "_" and "-" joined by "/", without "." or ".." segments`,
    };
  }
  return undefined;
}

/** A prefix as given by a user, without the slashes around it: `/exports/daily/` → `exports/daily`. */
export function trimPrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

const isSafeSegment = (segment: string): boolean => SAFE_SEGMENT.test(segment) && segment !== '.' && segment !== '..';

export interface S3KeyParts {
  /** A prefix that passed `s3LocationProblem()`; `''` for none. */
  readonly prefix: string;
  readonly asset: string;
  /** The partition's dimension values in dimension order; none for an unpartitioned asset. */
  readonly values: readonly PartitionValue[];
  readonly fileName: string;
}

/**
 * The object key of one file of an asset partition, Hive-style:
 * `<prefix>/<asset key>/<dimension>=<value>/…/<file name>`. Values are percent-encoded outside
 * `A-Z a-z 0-9 . _ -`, as in local storage, and checked first: an empty value, `.`, `..`, or one
 * holding `/`, `\` or NUL is refused with a PartitionError naming the asset.
 */
export function s3Key({ prefix, asset, values, fileName }: S3KeyParts): string {
  if (!isAssetKey(asset)) {
    throw new PartitionError('invalid-partition-key', `malformed asset key ${JSON.stringify(asset)} for an S3 key; expected ${ASSET_KEY_FORMAT}`, {
      field: 'asset',
    });
  }
  const segments = values.map(({ name, value }) => {
    if (!DIMENSION_NAME.test(name)) {
      throw new PartitionError('invalid-partition-key', `asset "${asset}": dimension name ${JSON.stringify(name)} cannot be part of an S3 key`, {
        asset,
        field: name,
      });
    }
    if (typeof value !== 'string' || value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
      throw new PartitionError('invalid-partition-key', `asset "${asset}": ${JSON.stringify(value)} for ${name} cannot be part of an S3 key`, {
        asset,
        field: name,
      });
    }
    return `${name}=${encodePartitionValue(value)}`;
  });
  if (!isSafeSegment(fileName)) throw new PartitionError('invalid-partition-key', `asset "${asset}": file name ${JSON.stringify(fileName)} cannot be part of an S3 key`, { asset });
  return [...(prefix === '' ? [] : [prefix]), asset, ...segments, fileName].join('/');
}

/** `s3://bucket/key`: how Daybook names an object in records and messages. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
