// What the upload service records for each quarter hour: the files uploaded, with their metadata as
// the clients reported it (content types and checksums in any case, uploaders with stray spaces) and
// the lines clients sent twice when they retried.
import { createHash } from 'node:crypto';
import { createRandom, type Random } from '../../northbridge/generator/random.ts';
import type { ImageFormat } from '../partitions.ts';

/** One uploaded file as the extraction should see it, plus how its manifest line is written. */
export interface Upload {
  readonly fileId: string;
  readonly path: string;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  /** Lower-case hex, as the extraction normalizes it. */
  readonly checksum: string;
  /** Lower-case and trimmed, as the extraction normalizes it. */
  readonly uploader: string;
  /** Epoch ms, inside its window. */
  readonly uploadedAt: number;
  /** The manifest line(s): two identical ones when the client retried. */
  readonly lines: readonly string[];
}

export const WINDOW_MS = 15 * 60_000;

const CONTENT_TYPES: Readonly<Record<ImageFormat, readonly string[]>> = {
  png: ['image/png'],
  jpeg: ['image/jpeg', 'image/jpeg', 'image/jpeg', 'image/jpg'],
  webp: ['image/webp'],
  gif: ['image/gif'],
  svg: ['image/svg+xml'],
};
const EXTENSIONS: Readonly<Record<ImageFormat, string>> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif', svg: 'svg' };
/** Share of uploads per format, in percent. */
const FORMAT_SHARE: readonly (readonly [ImageFormat, number])[] = [
  ['png', 40],
  ['jpeg', 30],
  ['webp', 15],
  ['svg', 10],
  ['gif', 5],
];
/** Bytes per pixel, low and high, per format; SVG is sized by its markup instead. */
const BYTES_PER_PIXEL: Readonly<Record<Exclude<ImageFormat, 'svg'>, readonly [number, number]>> = {
  png: [0.6, 1.6],
  jpeg: [0.12, 0.35],
  webp: [0.08, 0.2],
  gif: [0.3, 0.9],
};
const SIZES: readonly (readonly [number, number])[] = [
  [1920, 1080], [1080, 1080], [1080, 1350], [1200, 628], [1600, 900], [2048, 1536], [3000, 2000], [800, 600], [512, 512], [1080, 1920], [4096, 2160],
];
const GIF_SIZES: readonly (readonly [number, number])[] = [[480, 270], [640, 360], [320, 320]];
const FIRST = ['maya', 'leo', 'ana', 'sam', 'noor', 'kai', 'ines', 'omar', 'lena', 'raj', 'yuki', 'tom', 'zoe', 'ivan', 'ada', 'felix'];
const LAST = ['chen', 'garcia', 'okafor', 'smith', 'haddad', 'muller', 'tanaka', 'silva', 'kowalski', 'dubois', 'rossi', 'novak'];
const COMPANIES = ['acme-studio', 'northwind', 'globex', 'initech'];
const PROJECTS = ['brand-refresh', 'spring-campaign', 'app-store', 'website', 'social', 'print-kit', 'onboarding', 'pitch-deck'];
const SUBJECTS = ['hero', 'banner', 'logo', 'icon', 'mockup', 'avatar', 'poster', 'thumbnail', 'screen', 'sticker'];

/** The platform's users who upload: about 60 × √scale, the same for the same seed and scale. */
export function uploaders(seed: number, scale: number): readonly string[] {
  const count = Math.max(20, Math.round(60 * Math.sqrt(scale)));
  const random = createRandom(seed, `uploaders/${count}`);
  const names = FIRST.length * LAST.length;
  return Array.from({ length: count }, (_, i) => {
    const suffix = i < names ? '' : String(Math.floor(i / names));
    return `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}${suffix}@${random.pick(COMPANIES)}.example`;
  });
}

/** Uploads per window: about 40 × scale at the afternoon (UTC) peak, a quarter of that at night, at least one. */
export function windowSize(random: Random, scale: number, start: number): number {
  const hour = new Date(start).getUTCHours() + new Date(start).getUTCMinutes() / 60;
  const distance = Math.min(Math.abs(hour - 16), 24 - Math.abs(hour - 16));
  const activity = 0.25 + 0.75 * Math.exp(-(distance * distance) / 32);
  return Math.max(1, Math.round(40 * scale * activity * (0.8 + 0.4 * random.next())));
}

/**
 * The files uploaded in the window starting at `start` (epoch ms, UTC), in upload order. They depend
 * only on the seed, the scale and the window.
 */
export function windowUploads({ seed, scale, start, users }: { seed: number; scale: number; start: number; users: readonly string[] }): Upload[] {
  const key = new Date(start).toISOString().slice(0, 16);
  const random = createRandom(seed, `uploads/${key}`);
  const count = windowSize(random, scale, start);
  const times = Array.from({ length: count }, () => start + random.int(WINDOW_MS)).sort((a, b) => a - b);
  const stamp = key.replaceAll(/[-:T]/g, '');
  return times.map((uploadedAt, n) => {
    const fileId = `pf-${stamp}-${String(n + 1).padStart(5, '0')}`;
    const format = pickFormat(random);
    const [width, height] = format === 'gif' ? random.pick(GIF_SIZES) : random.pick(SIZES);
    const bytes = format === 'svg' ? 2_000 + random.int(118_000) : bytesOf(random, format, width * height);
    const uploader = random.pick(users);
    const handle = uploader.slice(0, uploader.indexOf('@'));
    const path = `u/${handle}/${random.pick(PROJECTS)}/${random.pick(SUBJECTS)}-${String(random.int(10_000)).padStart(4, '0')}.${EXTENSIONS[format]}`;
    const checksum = createHash('sha256').update(`${seed}/${fileId}`).digest('hex');
    const line = JSON.stringify({
      file_id: fileId,
      path,
      content_type: random.chance(0.05) ? random.pick(CONTENT_TYPES[format]).toUpperCase() : random.pick(CONTENT_TYPES[format]),
      size_bytes: bytes,
      sha256: random.chance(0.03) ? checksum.toUpperCase() : checksum,
      dimensions: `${width}x${height}`,
      uploader: random.chance(0.04) ? ` ${uploader[0]!.toUpperCase()}${uploader.slice(1)} ` : uploader,
      uploaded_at: new Date(uploadedAt).toISOString(),
    });
    return { fileId, path, format, width, height, bytes, checksum, uploader, uploadedAt, lines: random.chance(0.015) ? [line, line] : [line] };
  });
}

function pickFormat(random: Random): ImageFormat {
  let roll = random.int(100);
  for (const [format, share] of FORMAT_SHARE) {
    if (roll < share) return format;
    roll -= share;
  }
  return 'png';
}

function bytesOf(random: Random, format: Exclude<ImageFormat, 'svg'>, pixels: number): number {
  const [low, high] = BYTES_PER_PIXEL[format];
  return Math.round(pixels * (low + (high - low) * random.next()));
}
