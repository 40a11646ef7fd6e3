// The metadata store's contract: every dialect runs these cases (pglite.test.ts, postgres.test.ts).
import { afterAll, describe } from 'vitest';
import type { HarnessOptions, StoreHarness } from '../../support/store-harness.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import { auditCases } from './audit.cases.ts';
import { auditRetentionCases } from './audit-retention.cases.ts';
import { lifecycleCases } from './lifecycle.cases.ts';
import { plannerStateCases } from './planner-state.cases.ts';
import { publishesCases } from './publishes.cases.ts';
import { recordsCases } from './records.cases.ts';
import { serverReadsCases } from './server-reads.cases.ts';

/** Runs a test body against a fresh store, and closes it whatever happens. */
export type WithStore = (body: (store: MetadataStore) => Promise<void>, options?: HarnessOptions) => Promise<void>;

export function storeContract(harness: StoreHarness): void {
  const withStore: WithStore = async (body, options) => {
    const store = await harness.open(options);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };
  describe(`metadata store on ${harness.name}`, () => {
    afterAll(() => harness.cleanup());
    lifecycleCases(withStore);
    recordsCases(withStore);
    auditCases(withStore);
    auditRetentionCases(withStore);
    plannerStateCases(withStore);
    publishesCases(withStore);
    serverReadsCases(withStore);
  });
}
