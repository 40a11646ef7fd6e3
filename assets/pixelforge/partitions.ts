import { timeWindows } from '../../framework/index.ts';

/**
 * The first day of PixelForge's uploads (UTC). `PIXELFORGE_START` moves it; every window from its
 * midnight on is a partition, so the demo and a plain `daybook materialize` start there.
 */
export const FIRST_DAY = process.env.PIXELFORGE_START ?? '2026-11-20';

/** The image formats the platform accepts, as the extraction names them. */
export const FORMATS = ['png', 'jpeg', 'webp', 'gif', 'svg'] as const;
export type ImageFormat = (typeof FORMATS)[number];

/** The fields of every line of an upload manifest, in the order the upload service writes them. */
export const MANIFEST_FIELDS = ['file_id', 'path', 'content_type', 'size_bytes', 'sha256', 'dimensions', 'uploader', 'uploaded_at'] as const;

/** The columns of the daily control file. */
export const CONTROL_FIELDS = ['date', 'format', 'files', 'bytes'] as const;

/** Upload windows: a quarter hour of UTC each, keyed `2026-11-20T14:15`; 96 a day. */
export const uploadWindows = timeWindows({ cadence: '15-minute', start: `${FIRST_DAY}T00:00`, timeZone: 'UTC' });

/** UTC days, for the control file and the nightly reconciliation over a day's 96 windows. */
export const uploadDays = timeWindows({ cadence: 'daily', start: FIRST_DAY, timeZone: 'UTC' });
