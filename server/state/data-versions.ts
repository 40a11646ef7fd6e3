// Data versions of millions of partitions, compactly: a `sha256:<hex>` version is 32 bytes in one
// buffer instead of a 71-character string per partition; anything else (an ETag) is kept as text.

const SHA256 = /^sha256:[0-9a-f]{64}$/;
const NONE = 0;
const HASHED = 1;
const TEXT = 2;

/**
 * The current data version of each partition of an asset, by index.
 *
 * @example
 * const versions = new DataVersions(3);
 * versions.set(1, 'sha256:…'); versions.get(1); // 'sha256:…'
 */
export class DataVersions {
  readonly #kind: Uint8Array;
  /** Grown on demand: key spaces run far into the future, and only partitions up to now have versions. */
  #hashes = new Uint8Array(0);
  readonly #text = new Map<number, string>();

  constructor(size: number) {
    this.#kind = new Uint8Array(size);
  }

  set(index: number, version: string | null): void {
    this.#text.delete(index);
    if (version === null) {
      this.#kind[index] = NONE;
    } else if (SHA256.test(version)) {
      this.#kind[index] = HASHED;
      if ((index + 1) * 32 > this.#hashes.length) {
        const grown = new Uint8Array(Math.min(this.#kind.length, Math.max(index + 1, (this.#hashes.length / 32) * 2, 1_024)) * 32);
        grown.set(this.#hashes);
        this.#hashes = grown;
      }
      this.#hashes.set(Buffer.from(version.slice(7), 'hex'), index * 32);
    } else {
      this.#kind[index] = TEXT;
      this.#text.set(index, version);
    }
  }

  get(index: number): string | undefined {
    const kind = this.#kind[index];
    if (kind === HASHED) return `sha256:${Buffer.from(this.#hashes.buffer, this.#hashes.byteOffset + index * 32, 32).toString('hex')}`;
    if (kind === TEXT) return this.#text.get(index);
    return undefined;
  }
}
