// The weekly quality job's landing-data generator: what the demo, the tests and the command line call.

export { generateWeeklyLanding, requestsPath, scansPath, type GenerateWeeklyOptions, type LandedFile, type QueuedRequest, type WeeklySummary } from './landing.ts';
