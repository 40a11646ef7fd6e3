// How times, durations, versions and counts read everywhere in the UI.

/** `2026-11-20 14:15:02` in the browser's zone, or `—`. */
export function formatTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * A duration in words a person reads at a glance.
 * @example formatDuration(1530) // '1.5 s'
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  if (ms < 172_800_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}

/** How long ago, e.g. `5 min ago`, or `in 2 h` for a time ahead. */
export function formatAgo(value: string | number | Date | null | undefined, now = Date.now()): string {
  if (value === null || value === undefined) return '—';
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return '—';
  const delta = now - at;
  const words = formatDuration(Math.abs(delta)).replace(/ \d+ (s|min|h)$/, '');
  return delta >= 0 ? `${words} ago` : `in ${words}`;
}

/**
 * A data version shortened for tables; the full value goes in the title.
 * @example shortVersion('sha256:611a79bb0c…') // 'sha256:611a79bb…'
 */
export function shortVersion(version: string | null | undefined): string {
  if (version === null || version === undefined) return '—';
  const match = /^([a-z0-9]+:)?([0-9a-f]{8})[0-9a-f]{8,}$/i.exec(version);
  return match === null ? version : `${match[1] ?? ''}${match[2]}…`;
}

/** A count with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString('en-US');
}

/** Bytes as `12.3 MB`. */
export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let size = value;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${unit === 0 ? size : size.toFixed(1)} ${units[unit]}`;
}
