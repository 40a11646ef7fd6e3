import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatDuration, shortVersion } from '../../ui/src/format.ts';

describe('UI formats', () => {
  it('reads durations in the largest sensible units', () => {
    expect([450, 1530, 95_000, 2 * 3_600_000 + 300_000, 55 * 3_600_000].map(formatDuration)).toEqual(['450 ms', '1.5 s', '1 min 35 s', '2 h 5 min', '2 d 7 h']);
    expect(formatDuration(null)).toBe('—');
  });

  it('says how long ago, or how far ahead, in one unit', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(formatAgo('2026-11-22T11:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo('2026-11-20T05:00:00Z', now)).toBe('2 d ago');
    expect(formatAgo('2026-11-22T13:30:00Z', now)).toBe('in 1 h');
  });

  it('shortens content hashes but leaves other versions alone', () => {
    expect(shortVersion('sha256:611a79bb0c1d2e3f4a5b6c7d8e9f0011')).toBe('sha256:611a79bb…');
    expect(shortVersion('etag:"abc"+123')).toBe('etag:"abc"+123');
    expect(formatBytes(40_960)).toBe('41.0 KB');
  });
});
