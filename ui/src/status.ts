// Every status the UI shows, with its colour. The colours live here only: CSS reads them as custom
// properties (`--status-fresh`, set at start-up by `installStatusColours`) and canvases read them
// directly, so a status looks the same in a badge, a grid cell, a bar and a timeline.

/** Partition status, as the planner sees it. `running` comes from live run events. */
export const PARTITION_STATUSES = ['fresh', 'stale', 'missing', 'failed', 'running'] as const;
type PartitionStatus = (typeof PARTITION_STATUSES)[number];

/** SLA state of a deadline. */
export const SLA_STATES = ['met', 'at-risk', 'missed', 'pending'] as const;

/**
 * Partition statuses as one byte each, for grids of a million partitions. A higher code is worse,
 * so a cell that aggregates many partitions shows the worst of them (`max`).
 */
export const STATUS_CODES: readonly (PartitionStatus | 'not-due')[] = ['not-due', 'fresh', 'missing', 'stale', 'running', 'failed'];
/** Code of a partition status; unknown statuses count as missing. */
export function statusCode(status: string): number {
  const code = STATUS_CODES.indexOf(status as PartitionStatus);
  return code < 0 ? STATUS_CODES.indexOf('missing') : code;
}

// One hue per meaning: good, late, absent, broken, in progress.
const GOOD = '#2f9e62';
const LATE = '#e3a21a';
const ABSENT = '#c9cfd8';
const BROKEN = '#d64545';

const COLOURS: Readonly<Record<string, string>> = {
  // partitions
  fresh: GOOD,
  stale: LATE,
  missing: ABSENT,
  failed: BROKEN,
  running: '#3b7dd8',
  'not-due': '#f1f3f6',
  // runs and steps
  queued: ABSENT,
  pending: ABSENT,
  succeeded: GOOD,
  skipped: '#9fd3b4',
  waiting: '#9a7fd1',
  'upstream-failed': '#f0a0a0',
  'blocked-by-check': '#a3306b',
  cancelled: '#7d8590',
  // SLA and checks
  met: GOOD,
  'at-risk': LATE,
  missed: BROKEN,
  passed: GOOD,
  warn: LATE,
  none: ABSENT,
  // alerts
  firing: BROKEN,
  resolved: GOOD,
  critical: BROKEN,
  warning: LATE,
  info: '#3b7dd8',
};

const UNKNOWN = '#9aa3ad';

/**
 * The colour of any status the UI shows.
 * @example statusColour('fresh') // '#2f9e62'
 */
export function statusColour(status: string): string {
  return COLOURS[status] ?? UNKNOWN;
}

/** Sets `--status-<name>` on the document root so CSS badges use the same colours as canvases. */
export function installStatusColours(root: HTMLElement): void {
  for (const [name, colour] of Object.entries(COLOURS)) root.style.setProperty(`--status-${name}`, colour);
}
