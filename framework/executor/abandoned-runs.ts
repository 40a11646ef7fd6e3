import type { MetadataStore } from '../store/store.ts';

const ABANDONED = 'abandoned: the process running it stopped before it finished';

/**
 * Closes runs that a killed process left `running`. Only valid where this process holds the store
 * alone (embedded PGlite, under its lock): nothing else can be running them. Their unfinished steps
 * become `cancelled` and the run `failed`; the partitions they did not finish are simply planned again.
 */
export async function closeAbandonedRuns(store: MetadataStore): Promise<number> {
  const runs = await store.listRuns({ status: 'running', limit: 10_000 });
  for (const run of runs) {
    const steps = await store.listSteps(run.id);
    const unfinished = steps.filter((step) => step.status === 'running' || step.status === 'pending');
    await store.commit([
      ...unfinished.map((step) => ({ kind: 'update-step' as const, stepId: step.id, status: 'cancelled' as const, message: ABANDONED })),
      { kind: 'update-run' as const, runId: run.id, status: 'failed' as const, message: ABANDONED },
    ]);
  }
  return runs.length;
}
