// plannerState(): the planner's typed arrays and detail callbacks, built from what the store holds.
import { describe, expect, it } from 'vitest';
import {
  createPlan,
  defineAsset,
  defineDefinitions,
  defineSource,
  dynamicKeys,
  selectAssets,
  staticKeys,
  type Definitions,
  type PlannerState,
} from '../../../framework/index.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import type { StepSuccess } from '../../../framework/store/writes.ts';
import type { WithStore } from './store.contract.ts';

const KEYS = ['a', 'b', 'c', 'd'];

function definitions(keys = KEYS): Definitions {
  const partitions = staticKeys(keys);
  return defineDefinitions([
    defineSource({ key: 'ps/files', partitions, location: { pattern: 'files/{partition}.csv' } }),
    defineAsset({ key: 'ps/clean', partitions, deps: ['ps/files'], codeVersion: '2' }),
    defineAsset({ key: 'ps/report', partitions, deps: ['ps/clean'], codeVersion: '1' }),
    defineAsset({ key: 'ps/uploads-meta', partitions: dynamicKeys('ps/uploads') }),
  ]);
}

/** Runs one step of `asset` at `partition` to success; returns the materialization's seq. */
async function materialize(store: MetadataStore, asset: string, partition: string, success: Omit<StepSuccess, 'stepId'>): Promise<number> {
  const { steps } = await store.createRun({ selection: asset, steps: [{ asset, partition }] });
  return (await store.recordSuccess({ stepId: steps[0]!.id, ...success })).materialization.seq;
}

async function fail(store: MetadataStore, asset: string, partition: string, message: string): Promise<string> {
  const { steps } = await store.createRun({ selection: asset, steps: [{ asset, partition }] });
  await store.recordFailure({ stepId: steps[0]!.id, error: { message } });
  return steps[0]!.id;
}

const observe = async (store: MetadataStore, partition: string, dataVersion: string) =>
  (await store.recordObservations([{ asset: 'ps/files', partition, dataVersion }]))[0]!.seq;

export function plannerStateCases(withStore: WithStore): void {
  describe('plannerState', () => {
    it('builds typed arrays by partition index: seqs, interned code versions and failed flags', () =>
      withStore(async (store) => {
        const fa = await observe(store, 'a', 'f-a');
        const fb = await observe(store, 'b', 'f-b');
        const ma = await materialize(store, 'ps/clean', 'a', { dataVersion: 'v1', codeVersion: '2' });
        const mb = await materialize(store, 'ps/clean', 'b', { dataVersion: 'v1', codeVersion: '1' });
        await fail(store, 'ps/clean', 'c', 'bad row 7');

        const defs = definitions();
        const state: PlannerState = await store.plannerState(defs);
        const clean = state.asset('ps/clean')!;
        expect(clean.materializedSeq).toBeInstanceOf(Float64Array);
        expect(clean.codeVersion).toBeInstanceOf(Uint16Array);
        expect(clean.failed).toBeInstanceOf(Uint8Array);
        expect([...clean.materializedSeq]).toEqual([ma, mb, 0, 0]);
        expect([...clean.versionSeq]).toEqual([ma, mb, 0, 0]);
        expect([...clean.codeVersion].map((code) => clean.codeVersions[code])).toEqual(['2', '1', '', '']);
        expect(clean.codeVersions[0]).toBe('');
        expect([...clean.failed]).toEqual([0, 0, 1, 0]);
        expect([...state.asset('ps/files')!.materializedSeq]).toEqual([fa, fb, 0, 0]);
        expect(state.asset('ps/report')).toBeUndefined();
      }));

    it('keeps versionSeq when a rerun records the same data version, and moves it for a new one', () =>
      withStore(async (store) => {
        const first = await materialize(store, 'ps/clean', 'a', { dataVersion: 'v1' });
        const same = await materialize(store, 'ps/clean', 'a', { dataVersion: 'v1' });
        let clean = (await store.plannerState(definitions())).asset('ps/clean')!;
        expect([clean.materializedSeq[0], clean.versionSeq[0]]).toEqual([same, first]);
        const changed = await materialize(store, 'ps/clean', 'a', { dataVersion: 'v2' });
        clean = (await store.plannerState(definitions())).asset('ps/clean')!;
        expect([clean.materializedSeq[0], clean.versionSeq[0]]).toEqual([changed, changed]);
        expect((await store.currentMaterializations('ps/clean'))[0]).toMatchObject({ seq: changed, versionSeq: changed });
        expect((await store.materializationHistory('ps/clean', 'a')).map((m) => m.versionSeq)).toEqual([changed, first, first]);
      }));

    it('flags a partition failed only while its latest attempt failed after its latest materialization', () =>
      withStore(async (store) => {
        const flag = async () => {
          const state = await store.plannerState(definitions());
          return [state.asset('ps/clean')!.failed[0], state.failure!('ps/clean', 0)];
        };
        await materialize(store, 'ps/clean', 'a', { dataVersion: 'v1' });
        expect(await flag()).toEqual([0, undefined]);
        await fail(store, 'ps/clean', 'a', 'disk full');
        expect(await flag()).toEqual([1, 'disk full']);
        await materialize(store, 'ps/clean', 'a', { dataVersion: 'v1' });
        expect(await flag()).toEqual([0, undefined]);
        await fail(store, 'ps/clean', 'a', 'timeout');
        const { steps } = await store.createRun({ selection: 'ps/clean', steps: [{ asset: 'ps/clean', partition: 'a' }] });
        await store.updateStep({ stepId: steps[0]!.id, status: 'skipped', message: 'up to date' });
        expect(await flag()).toEqual([0, undefined]);
      }));

    it('gives a source its observations: a re-sent file with new content moves both seqs', () =>
      withStore(async (store) => {
        const first = await observe(store, 'c', 'f-c1');
        expect(await observe(store, 'c', 'f-c1')).toBe(first);
        const resent = await observe(store, 'c', 'f-c2');
        const files = (await store.plannerState(definitions())).asset('ps/files')!;
        expect([files.materializedSeq[2], files.versionSeq[2]]).toEqual([resent, resent]);
        expect(resent).toBeGreaterThan(first);
      }));

    it('skips keys the definition no longer has, and maps dynamic keys it restores', () =>
      withStore(async (store) => {
        await materialize(store, 'ps/clean', 'zz', { dataVersion: 'gone' });
        const kept = await materialize(store, 'ps/clean', 'b', { dataVersion: 'v1' });
        await store.addDynamicKeys('ps/uploads', ['u1', 'u2']);
        const upload = await materialize(store, 'ps/uploads-meta', 'u2', { dataVersion: 'm2' });

        const defs = definitions(['b', 'c']);
        const state = await store.plannerState(defs);
        expect([...state.asset('ps/clean')!.materializedSeq]).toEqual([kept, 0]);
        expect(defs.get('ps/uploads-meta').partitions.size()).toBe(2);
        expect([...state.asset('ps/uploads-meta')!.materializedSeq]).toEqual([0, upload]);
      }));

    it('answers the detail callbacks, and leaves them out when details are not wanted', () =>
      withStore(async (store) => {
        await materialize(store, 'ps/clean', 'a', { dataVersion: 'v1', consumed: { 'ps/files': { a: 'f-a' } } });
        await fail(store, 'ps/clean', 'b', 'schema drift: column "qty" missing');
        const state = await store.plannerState(definitions());
        expect(state.dataVersion!('ps/clean', 0)).toBe('v1');
        expect(state.dataVersion!('ps/clean', 1)).toBeUndefined();
        expect(state.consumedVersion!('ps/clean', 0, 'ps/files', 'a')).toBe('f-a');
        expect(state.consumedVersion!('ps/clean', 0, 'ps/files', 'b')).toBeUndefined();
        expect(state.failure!('ps/clean', 1)).toBe('schema drift: column "qty" missing');
        const lean = await store.plannerState(definitions(), { details: false });
        expect(lean.dataVersion).toBeUndefined();
        expect(lean.consumedVersion).toBeUndefined();
        expect([...lean.asset('ps/clean')!.failed]).toEqual([0, 1, 0, 0]);
      }));

    it('lets the planner tell missing, failed, code-changed, upstream-changed and fresh partitions apart', () =>
      withStore(async (store) => {
        for (const key of KEYS) await observe(store, key, `f-${key}`);
        await materialize(store, 'ps/clean', 'a', { dataVersion: 'ca', codeVersion: '2', consumed: { 'ps/files': { a: 'f-a' } } });
        await materialize(store, 'ps/clean', 'b', { dataVersion: 'cb', codeVersion: '1', consumed: { 'ps/files': { b: 'f-b' } } });
        await materialize(store, 'ps/clean', 'c', { dataVersion: 'cc', codeVersion: '2', consumed: { 'ps/files': { c: 'f-c' } } });
        await fail(store, 'ps/clean', 'c', 'bad row');
        await materialize(store, 'ps/report', 'a', { dataVersion: 'ra', codeVersion: '1', consumed: { 'ps/clean': { a: 'ca' } } });
        const plan = async () => {
          const defs = definitions();
          const result = createPlan({ definitions: defs, state: await store.plannerState(defs), assets: selectAssets(defs, 'ps/clean,ps/report'), partitions: {} });
          return Object.fromEntries([...result.steps()].map((step) => [`${step.asset}[${step.partition}]`, step.reason]));
        };
        expect(await plan()).toEqual({
          'ps/clean[b]': 'code-changed',
          'ps/clean[c]': 'failed',
          'ps/clean[d]': 'missing',
          'ps/report[b]': 'missing',
          'ps/report[c]': 'missing',
          'ps/report[d]': 'missing',
        });
        await observe(store, 'a', 'f-a2');
        expect(await plan()).toMatchObject({ 'ps/clean[a]': 'upstream-changed', 'ps/report[a]': 'upstream-changed' });
      }));
  });
}
