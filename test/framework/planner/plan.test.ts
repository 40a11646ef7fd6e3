import { describe, expect, it } from 'vitest';
import { createPlan, MemoryState, PlanError, replan, selectAssets, type Definitions, type PlannedStep } from '../../../framework/index.ts';
import { northbridgeShape } from './northbridge-shape.ts';

const ALL_DATES = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-27', '2026-11-30'];

function planAll(definitions: Definitions, state: MemoryState, selection = '*', partitions = {}) {
  return createPlan({ definitions, state, assets: selectAssets(definitions, selection), partitions });
}

/** Observes every source file once and materializes every planned step, in plan order. */
function materializeEverything(definitions: Definitions): MemoryState {
  const state = new MemoryState(definitions);
  for (const date of ALL_DATES) {
    for (const broker of ['GSCO', 'JPMS', 'MSCO']) state.observe('nb/files', `${date}|${broker}`, `file-${date}-${broker}-v1`);
    state.observe('nb/price-file', date, `prices-${date}-v1`);
  }
  for (const step of planAll(definitions, state).steps()) {
    state.materialize(step.asset, step.partition, { dataVersion: `${step.asset}-${step.partition}-v1` });
  }
  return state;
}

const label = (step: PlannedStep) => `${step.asset}[${step.partition}]`;

describe('createPlan', () => {
  it('plans every partition as missing when nothing is recorded, upstream first', () => {
    const definitions = northbridgeShape();
    const plan = planAll(definitions, new MemoryState(definitions));
    const steps = [...plan.steps()];
    expect(steps.every((step) => step.reason === 'missing')).toBe(true);
    // 30 executions, 20 positions, 10 prices, 20 pnl, 10 reports; sources are observed, not planned.
    expect(steps).toHaveLength(90);
    expect(plan.stepCount()).toBe(90);
    expect(plan.countsByReason().missing).toBe(90);
    const order = [...new Set(steps.map((step) => step.asset))];
    expect(order).toEqual(['nb/executions', 'nb/positions', 'nb/prices', 'nb/pnl', 'nb/report']);
    expect(plan.explain(steps[0]!)).toBe('never materialized');
  });

  it('plans nothing once everything is materialized from the current inputs', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    expect([...planAll(definitions, state).steps()]).toEqual([]);
  });

  it('marks exactly the dependent partitions stale when a broker file is re-sent, forward through previousSession', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    state.observe('nb/files', '2026-11-24|GSCO', 'file-2026-11-24-GSCO-v2');
    const plan = planAll(definitions, state);
    const steps = [...plan.steps()];
    const later = ['2026-11-24', '2026-11-25', '2026-11-27', '2026-11-30'];
    const expected = [
      'nb/executions[2026-11-24|GSCO]',
      ...later.flatMap((date) => [`nb/positions[${date}|PF001]`, `nb/positions[${date}|PF002]`]),
      ...later.flatMap((date) => [`nb/pnl[${date}|PF001]`, `nb/pnl[${date}|PF002]`]),
      ...later.map((date) => `nb/report[${date}]`),
    ];
    expect(steps.map(label)).toEqual(expected);
    expect(steps.every((step) => step.reason === 'upstream-changed')).toBe(true);
    expect(plan.explain(steps[0]!)).toBe('nb/files[2026-11-24|GSCO] changed: consumed file-2026-11-24-GSCO-v1, now file-2026-11-24-GSCO-v2');
    expect(plan.explain(steps[1]!)).toBe('nb/executions[2026-11-24|GSCO] will rerun (upstream-changed)');
    expect(plan.explain(steps.find((s) => s.partition === '2026-11-25|PF001' && s.asset === 'nb/positions')!)).toBe(
      'nb/positions[2026-11-24|PF001] will rerun (upstream-changed)',
    );
  });

  it('keeps everything fresh when a file is observed again with the same content', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    state.observe('nb/files', '2026-11-24|GSCO', 'file-2026-11-24-GSCO-v1');
    expect(planAll(definitions, state).stepCount()).toBe(0);
  });

  it('keeps downstream fresh when an upstream reruns and produces the same data version', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    state.materialize('nb/prices', '2026-11-20', { dataVersion: 'nb/prices-2026-11-20-v1' });
    expect(planAll(definitions, state).stepCount()).toBe(0);
  });

  it('plans code-changed partitions and everything downstream of them when a code version changes', () => {
    const state = materializeEverything(northbridgeShape());
    const changed = northbridgeShape({ positionsCode: '2' });
    const plan = planAll(changed, state);
    const counts = plan.countsByReason();
    expect(counts['code-changed']).toBe(20);
    expect(counts['upstream-changed']).toBe(30);
    const first = plan.steps().next().value!;
    expect(label(first)).toBe('nb/positions[2026-11-16|PF001]');
    expect(plan.explain(first)).toBe('code version changed: 1 -> 2');
  });

  it('plans a failed partition with its error, and its readers as upstream-changed', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    state.fail('nb/prices', '2026-11-30', 'price file truncated at line 40');
    const steps = [...planAll(definitions, state).steps()];
    expect(steps.map((s) => `${label(s)} ${s.reason}`)).toEqual([
      'nb/prices[2026-11-30] failed',
      'nb/pnl[2026-11-30|PF001] upstream-changed',
      'nb/pnl[2026-11-30|PF002] upstream-changed',
      'nb/report[2026-11-30] upstream-changed',
    ]);
    const plan = planAll(definitions, state);
    expect(plan.explain(plan.steps().next().value!)).toBe('last attempt failed: price file truncated at line 40');
  });

  it('forces fresh partitions when asked', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    const plan = createPlan({ definitions, state, assets: selectAssets(definitions, 'nb/prices'), partitions: { partition: '2026-11-20' }, force: true });
    expect([...plan.steps()].map((s) => `${label(s)} ${s.reason}`)).toEqual(['nb/prices[2026-11-20] forced']);
  });

  it('runs one broker feed and exactly the downstream partitions that read it for a selective rerun', () => {
    const definitions = northbridgeShape();
    const plan = createPlan({
      definitions,
      state: new MemoryState(definitions),
      assets: selectAssets(definitions, 'nb/executions+'),
      partitions: { partition: '2026-11-20', where: { broker: 'GSCO' } },
    });
    expect([...plan.steps()].map(label)).toEqual([
      'nb/executions[2026-11-20|GSCO]',
      'nb/positions[2026-11-20|PF001]',
      'nb/positions[2026-11-20|PF002]',
      'nb/pnl[2026-11-20|PF001]',
      'nb/pnl[2026-11-20|PF002]',
      'nb/report[2026-11-20]',
    ]);
  });

  it('plans exactly the listed keys per asset, forcing fresh ones, and nothing for a selected asset it does not list', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    const plan = createPlan({
      definitions,
      state,
      assets: selectAssets(definitions, 'nb/prices,nb/positions,nb/report'),
      partitions: { keys: { 'nb/prices': ['2026-11-19', '2026-11-20'], 'nb/positions': ['2026-11-20|PF002'] } },
      force: true,
    });
    expect([...plan.steps()].map((s) => `${label(s)} ${s.reason}`)).toEqual([
      'nb/positions[2026-11-20|PF002] forced',
      'nb/prices[2026-11-19] forced',
      'nb/prices[2026-11-20] forced',
    ]);
    expect(() => planAll(definitions, state, 'nb/prices', { keys: { 'nb/prices': ['2026-11-21'] } })).toThrowError(/partition "2026-11-21" of nb\/prices is not a key/);
  });

  it('restricts time dimensions to a date range and leaves out windows that have not ended', () => {
    const definitions = northbridgeShape();
    const state = new MemoryState(definitions);
    const ranged = planAll(definitions, state, 'nb/prices', { from: '2026-11-19', to: '2026-11-24' });
    expect([...ranged.steps()].map((s) => s.partition)).toEqual(['2026-11-19', '2026-11-20', '2026-11-23', '2026-11-24']);
    // At 05:00 New York on 2026-11-25, the 2026-11-24 session has ended and the 25th has not.
    const now = Date.UTC(2026, 10, 25, 10, 0);
    const current = planAll(definitions, state, 'nb/prices', { endedBy: now });
    expect([...current.steps()].map((s) => s.partition).at(-1)).toBe('2026-11-24');
  });

  it('rejects a partition that is neither a key nor a date, and a --where no asset has', () => {
    const definitions = northbridgeShape();
    const state = new MemoryState(definitions);
    expect(() => planAll(definitions, state, 'nb/prices', { partition: '2026-13-01|x' })).toThrowError(PlanError);
    expect(() => planAll(definitions, state, 'nb/prices', { where: { broker: 'GSCO' } })).toThrowError(/no selected asset has the dimension/);
    expect(() => planAll(definitions, state, 'nb/executions', { where: { broker: 'XXXX' } })).toThrowError(/"XXXX" is not a key/);
  });
});

describe('replan', () => {
  it('agrees with a full plan after random changes', () => {
    const definitions = northbridgeShape();
    const state = materializeEverything(definitions);
    const plan = planAll(definitions, state);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const date = ALL_DATES[random(ALL_DATES.length)]!;
      const choice = random(4);
      let change;
      if (choice === 0) {
        const key = `${date}|${['GSCO', 'JPMS', 'MSCO'][random(3)]}`;
        state.observe('nb/files', key, `file-${key}-r${round}`);
        change = { asset: 'nb/files', indexes: [definitions.get('nb/files').partitions.indexOf(key)] };
      } else if (choice === 1) {
        state.materialize('nb/prices', date, { dataVersion: `prices-${date}-r${round % 3}` });
        change = { asset: 'nb/prices', indexes: [definitions.get('nb/prices').partitions.indexOf(date)] };
      } else if (choice === 2) {
        const key = `${date}|PF00${1 + random(2)}`;
        state.fail('nb/positions', key, 'boom');
        change = { asset: 'nb/positions', indexes: [definitions.get('nb/positions').partitions.indexOf(key)] };
      } else {
        const key = `${date}|PF00${1 + random(2)}`;
        state.materialize('nb/positions', key, { dataVersion: `pos-${key}-r${round}` });
        change = { asset: 'nb/positions', indexes: [definitions.get('nb/positions').partitions.indexOf(key)] };
      }
      replan(plan, [change]);
      const fresh = planAll(definitions, state);
      expect([...plan.steps()].map((s) => `${label(s)} ${s.reason}`)).toEqual([...fresh.steps()].map((s) => `${label(s)} ${s.reason}`));
    }
  });
});
