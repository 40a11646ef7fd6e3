import { brokerExecutions, executions } from './executions.ts';
import { financePnlFile, riskPositionsFile } from './outputs.ts';
import { pnl } from './pnl.ts';
import { closingPricesFile, positions, prices } from './positions.ts';
import { fxRates, fxRatesFile, securities, securityMasterFile } from './reference.ts';

/** The NorthBridge broker-dealer pipeline: reference data, executions, positions, P&L, and files for risk and finance. */
export const northbridge = [
  securityMasterFile,
  securities,
  fxRatesFile,
  fxRates,
  brokerExecutions,
  executions,
  positions,
  closingPricesFile,
  prices,
  pnl,
  riskPositionsFile,
  financePnlFile,
];
