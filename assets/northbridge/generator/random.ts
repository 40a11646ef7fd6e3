// Seeded randomness for the landing-data generator. Every stream is named (e.g. `executions/2026-11-20/GSCO`)
// so a file's content depends only on the seed and what it describes, never on which other files were
// generated before it: regenerating one session gives the same bytes as generating a whole range.

/** A seeded source of random numbers; the same seed and stream always give the same sequence. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

const TWO_32 = 4_294_967_296;

/** FNV-1a over UTF-16 code units: stable and dependency-free, enough to spread stream names. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Murmur3's finalizer: an avalanche so that neighbouring counters give unrelated outputs. */
function fmix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of 32-bit words into one. */
export function hashWords(...words: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) h = fmix(h ^ fmix(word + 0x7f4a7c15));
  return h;
}

/**
 * A standard normal drawn from counters alone, without a sequence: random walks use it so the value
 * on any day can be computed without replaying a generator's state.
 */
export function normalAt(seed: number, stream: number, item: number, step: number): number {
  // Hashes the four counters once, then derives both uniforms from it: this runs once per security
  // and session, millions of times at large scales.
  const h = fmix(fmix(fmix(fmix(seed ^ 0x9e3779b9) ^ stream) ^ item) ^ step);
  const u1 = (fmix(h ^ 0x68e31da4) + 1) / (TWO_32 + 1);
  const u2 = fmix(h ^ 0xb5297a4d) / TWO_32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A sequential generator (sfc32) for the stream `name` under `seed`. */
export function createRandom(seed: number, name: string): Random {
  const base = hashWords(seed >>> 0, hashString(name));
  let a = hashWords(base, 1);
  let b = hashWords(base, 2);
  let c = hashWords(base, 3);
  let d = 1;
  const word = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // sfc32 needs a few rounds before its output stops reflecting the seed words.
  for (let i = 0; i < 12; i++) word();
  let spare: number | undefined;
  const next = () => word() / TWO_32;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      const u1 = (word() + 1) / (TWO_32 + 1);
      const angle = 2 * Math.PI * next();
      const radius = Math.sqrt(-2 * Math.log(u1));
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}
