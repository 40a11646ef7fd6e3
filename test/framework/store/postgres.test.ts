import { describe, expect, it } from 'vitest';
import { storeContract } from './store.contract.ts';
import { postgresHarness, testDatabaseUrl } from '../../support/store-harness.ts';
import { createStore } from '../../../framework/store/create-store.ts';
import { postgresDialect } from '../../../framework/store/postgres.ts';

const url = testDatabaseUrl();

if (url) {
  storeContract(postgresHarness(url));

  describe('metadata store on postgres, across processes', () => {
    it('serializes two stores writing to one schema: one audit chain, one seq order, no lost write', async () => {
      const harness = postgresHarness(url);
      const first = await harness.open();
      // A second pool on the same schema stands for a second worker process.
      const schema = first.location.match(/schema (\w+)/)![1]!;
      const second = await createStore({ dialect: postgresDialect({ url, schema }) });
      try {
        const { run } = await first.createRun({ selection: 'nb/prices', status: 'running' });
        const lifecycle = async (store: typeof first, i: number) => {
          const [step] = await store.addSteps(run.id, [{ asset: 'nb/prices', partition: `d${i}` }]);
          await store.updateStep({ stepId: step!.id, status: 'running' });
          return (await store.recordSuccess({ stepId: step!.id, dataVersion: `v${i}` })).materialization.seq;
        };
        const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => lifecycle(i % 2 === 0 ? first : second, i)));
        expect(new Set(seqs).size).toBe(200);
        expect(await first.verifyAuditChain()).toMatchObject({ ok: true, checked: 601 });
        expect(await second.listSteps(run.id, { status: 'succeeded' })).toHaveLength(200);
        // Commit order is seq order: listing by seq gives materializations in the order their audit events were chained.
        const events = await first.listAuditEvents({ action: 'asset.materialized', limit: 1_000 });
        const bySeq = events.map((event) => event.payload.seq as number);
        expect(bySeq).toEqual([...bySeq].sort((a, b) => a - b));
      } finally {
        await second.close();
        await first.close();
        await harness.cleanup();
      }
    });

    it('names the database, without its password, when it cannot connect', async () => {
      const error = await createStore({ url: 'postgres://daybook:secret@127.0.0.1:1/none' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'store-failed' });
      expect((error as Error).message).toMatch(/^cannot open the store at postgres:\/\/daybook:\*\*\*@127\.0\.0\.1:1\/none: /);
      expect((error as Error).message).not.toContain('secret');
    });
  });
} else {
  describe.skip('metadata store on postgres (DAYBOOK_TEST_DATABASE_URL is not set)', () => {
    it('runs the store contract', () => undefined);
  });
}
