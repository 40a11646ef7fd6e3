// Leases that run out: a step whose worker stopped is handed out again, and a step whose leases ran
// out too often (it stops every worker that runs it) fails for good, holding back its downstream.
import { describe, expect, it } from 'vitest';
import { claimSteps, expireLeases } from '../../../../framework/automation/workers/claim.ts';
import { enqueueRun } from '../../../../framework/automation/workers/enqueue.ts';
import { defineAsset, defineDefinitions, fixedClock, staticKeys } from '../../../../framework/index.ts';
import { openTestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';

const definitions = defineDefinitions([
  defineAsset({ key: 'lease/poison', partitions: staticKeys(['a']), compute: 'select 1 as x' }),
  defineAsset({ key: 'lease/after', partitions: staticKeys(['a']), deps: ['lease/poison'], compute: 'select x from poison' }),
]);

describe.each(storeKinds('test/framework/automation/workers/lease-expiries'))('lease expiries, store on %s', (kind) => {
  it('hands a step out again when its lease runs out, and fails it for good after maxExpiries, with its downstream held back', async () => {
    const clock = fixedClock(Date.parse('2026-11-20T08:00:00Z'));
    const engine = await openTestEngine({ definitions, store: kind, clock });
    try {
      const { run } = await enqueueRun(engine);
      const leaseMs = 1_000;
      for (let round = 1; round <= 3; round++) {
        // A worker claims the step, then dies: nothing renews its lease.
        const [claimed, ...more] = await claimSteps(engine.store, { worker: `dead-${round}`, limit: 10, leaseMs });
        expect(more).toEqual([]);
        expect(claimed).toMatchObject({ asset: 'lease/poison', partition: 'a', attempt: 1 });
        expect(await claimSteps(engine.store, { worker: 'other', limit: 10, leaseMs })).toEqual([]);
        clock.set(clock.now() + leaseMs + 1);
        expect(await expireLeases(engine.store, { maxExpiries: 3, leaseMs })).toBe(1);
      }
      // The third expiry failed it: nothing is left to claim, and the run has ended.
      expect(await claimSteps(engine.store, { worker: 'other', limit: 10, leaseMs })).toEqual([]);
      const steps = await engine.store.listSteps(run.id);
      expect(Object.fromEntries(steps.map((step) => [step.asset, step.status]))).toEqual({ 'lease/poison': 'failed', 'lease/after': 'upstream-failed' });
      expect(steps.find((step) => step.asset === 'lease/poison')!.errorMessage).toContain('its lease ran out 3 times (the last held by worker dead-3)');
      expect((await engine.store.getRun(run.id))!.status).toBe('failed');
      const expired = await engine.store.listAuditEvents({ runId: run.id, action: 'step.lease-expired' });
      expect(expired.map((event) => event.payload)).toEqual(
        expect.arrayContaining([expect.objectContaining({ worker: 'dead-1', expiries: 1 }), expect.objectContaining({ worker: 'dead-3', expiries: 3, failing: true })]),
      );
      expect((await engine.store.verifyAuditChain()).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
