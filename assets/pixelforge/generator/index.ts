// The PixelForge landing-data generator: what the demo, the tests and the command line call.

export { controlPath, deliverLate, generateUploads, manifestPath, type DeliverLateOptions, type GenerateUploadsOptions, type LandedFile, type UploadsSummary } from './landing.ts';
export type { Upload } from './uploads.ts';
