import { defineAsset, defineSource } from '../../framework/index.ts';
import { sessionsByBroker } from './partitions.ts';

/**
 * Prior-day execution files from the brokers, each in its own format (CSV, JSON lines or Parquet,
 * matched by `.*`), each ending with a control record of row count and notional total.
 */
export const brokerExecutions = defineSource({
  key: 'northbridge/broker-executions',
  description: 'Execution files as the brokers send them: one file per session and broker; corrected files are re-sent.',
  group: 'executions',
  owners: ['team:middle-office'],
  partitions: sessionsByBroker,
  location: { pattern: 'executions/{broker}/{date}.*' },
});

/** Executions validated against the control record and deduplicated; a corrected re-send replaces earlier records. */
export const executions = defineAsset({
  key: 'northbridge/executions',
  description: 'Validated, deduplicated executions per session and broker, in one schema for all brokers.',
  group: 'executions',
  owners: ['team:middle-office'],
  tags: { domain: 'trading', tier: 'silver' },
  partitions: sessionsByBroker,
  deps: [{ asset: 'northbridge/broker-executions', as: 'raw_executions' }, 'northbridge/securities'],
  codeVersion: '1',
});
