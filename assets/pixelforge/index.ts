import { dailyControl, dailyReconciliation } from './reconciliation.ts';
import { mediaMetadata, uploads } from './uploads.ts';
import { mediaFiles } from './warehouse-load.ts';

/** The PixelForge media pipeline: upload manifests every 15 minutes, metadata, the warehouse load, and the nightly reconciliation. */
export const pixelforge = [uploads, mediaMetadata, mediaFiles, dailyControl, dailyReconciliation];
