// The NorthBridge landing-data generator: what `npm start`, the demo and the tests call.

export { generateLanding, type GenerateLandingOptions, type LandedFile, type LandingSummary } from './landing.ts';
export { resendCorrected, type ResendCorrectedOptions, type ResendResult } from './resend.ts';
export { BROKER_FORMATS, executionFilePath, type BrokerFormat } from './broker-formats.ts';
export type { ControlTotals } from './execution-record.ts';
