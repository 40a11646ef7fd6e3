// and / or / not / since end to end, the tester's tree for a combination, the counts per node, and
// the since-memory kept in the store between evaluations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  and,
  cronTickPassed,
  DefinitionError,
  defineAsset,
  defineDefinitions,
  defineSource,
  eager,
  materialize,
  newlyUpdated,
  not,
  onCron,
  onMissing,
  or,
  since,
  whenUpstreamChanged,
} from '../../../../framework/index.ts';
import type { ConditionTables } from '../../../../framework/automation/condition-tables.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { D3, DAYS, evaluate, explain, land, requested } from './harness.ts';

const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 10, day, hour, minute);
const compute = 'select cast(n as bigint) as n from events_file';

const definitions = defineDefinitions([
  defineSource({ key: 'x/events-file', partitions: DAYS, location: { pattern: 'events/{partition}.csv' } }),
  // Updates of partitions that exist, never a first materialization.
  defineAsset({ key: 'x/update', partitions: DAYS, deps: ['x/events-file'], compute, automation: and(eager(), not(onMissing())) }),
  defineAsset({ key: 'x/either', partitions: DAYS, deps: ['x/events-file'], compute, automation: or(onMissing(), whenUpstreamChanged()) }),
  // A tick passed since the partition was last materialized, kept between evaluations.
  defineAsset({ key: 'x/hourly', partitions: DAYS, deps: ['x/events-file'], compute, automation: since(cronTickPassed('0 * * * *'), newlyUpdated()) }),
]);

describe('declaring conditions', () => {
  it('freezes a condition tree into JSON-safe specs with labels', () => {
    const condition = and(eager(), not(onCron('0 5 * * 1-5', { tz: 'America/New_York' })));
    expect(condition.spec).toEqual({
      kind: 'and',
      operands: [{ kind: 'eager' }, { kind: 'not', operands: [{ kind: 'on-cron', cron: '0 5 * * 1-5', tz: 'America/New_York' }] }],
    });
    expect(condition.operands[1]!.operands[0]!.label).toBe("onCron('0 5 * * 1-5', 'America/New_York')");
    expect(Object.isFrozen(condition) && Object.isFrozen(condition.spec)).toBe(true);
    expect(defineAsset({ key: 'x/a', automation: condition }).automation).toBe(condition);
  });

  it('rejects a bad cron pattern, a bad time zone, a missing operand and a non-condition, naming the field', () => {
    expect(() => onCron('61 * * * *')).toThrow(DefinitionError);
    expect(() => onCron('61 * * * *')).toThrow(/onCron\('61 \* \* \* \*', 'UTC'\): field "automation": .*minute/);
    expect(() => cronTickPassed('0 5 * * *', { tz: 'Mars/Olympus' })).toThrow(/field "automation": .*unknown time zone "Mars\/Olympus"/);
    expect(() => and()).toThrow('and(): expected at least 1 condition operand(s), got 0');
    expect(() => not('eager' as never)).toThrow('not(): operand 1 is not a condition');
    expect(() => defineAsset({ key: 'x/a', automation: 'eager' as never })).toThrow(/asset "x\/a": field "automation": expected an automation condition/);
  });
});

for (const kind of storeKinds('combined conditions')) {
  describe(`and, or, not and since on ${kind}`, () => {
    let engine: TestEngine;
    beforeAll(async () => {
      engine = await openTestEngine({ definitions, store: kind });
      await land(engine, `events/${D3}.csv`, 'n\n1\n');
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('explains a combination node by node: and(eager(), not(onMissing())) does not fire for a missing partition', async () => {
      const evaluation = await evaluate(engine, at(4, 4, 10));
      expect(requested(evaluation)).toEqual([`x/either[${D3}]`]);
      expect(evaluation.results.find((r) => r.asset === 'x/update')!.nodes).toEqual([
        { path: '0', label: 'and', trueCount: 0 },
        { path: '0.0', label: 'eager()', trueCount: 1 },
        { path: '0.1', label: 'not', trueCount: 2 },
        { path: '0.1.0', label: 'onMissing()', trueCount: 1 },
      ]);
      expect(await explain(engine, 'x/update', D3, at(4, 4, 11))).toEqual({
        label: 'and',
        value: false,
        detail: '`not` is false',
        children: [
          { label: 'eager()', value: true, detail: 'never materialized, and every input is ready', children: [] },
          {
            label: 'not',
            value: false,
            detail: '`onMissing()` is true',
            children: [{ label: 'onMissing()', value: true, detail: 'never materialized, and every input is ready', children: [] }],
          },
        ],
      });
    });

    it('since() keeps a tick between evaluations and clears it for the partitions materialized since', async () => {
      expect(requested(await evaluate(engine, at(4, 5, 1)))).toEqual([
        `x/either[${D3}]`,
        'x/hourly[2026-11-01]',
        'x/hourly[2026-11-02]',
        `x/hourly[${D3}]`,
      ]);
      await materialize(engine, { partitions: { partition: D3 } });
      const evaluation = await evaluate(engine, at(4, 5, 10));
      expect(requested(evaluation)).toEqual(['x/hourly[2026-11-01]', 'x/hourly[2026-11-02]']);
      expect(evaluation.results.find((r) => r.asset === 'x/hourly')!.nodes).toEqual([
        { path: '0', label: 'since', trueCount: 2 },
        { path: '0.0', label: "cronTickPassed('0 * * * *', 'UTC')", trueCount: 0 },
        { path: '0.1', label: 'newlyUpdated()', trueCount: 1 },
      ]);
      const stored = await engine.store.db.withTables<ConditionTables>().selectFrom('automation_cursors').selectAll().where('asset', '=', 'x/hourly').executeTakeFirstOrThrow();
      expect(stored.cursor.memory).toEqual({ '0 since': [['2026-11-01', '2026-11-02']] });
      expect(stored.evaluated_at.getTime()).toBe(at(4, 5, 10));
      expect((await explain(engine, 'x/hourly', '2026-11-02', at(4, 5, 11))).detail).toBe(
        '`cronTickPassed(\'0 * * * *\', \'UTC\')` was true at an earlier evaluation, and `newlyUpdated()` has not been true since',
      );
      expect((await explain(engine, 'x/hourly', D3, at(4, 5, 11))).detail).toBe("`cronTickPassed('0 * * * *', 'UTC')` has not been true since `newlyUpdated()` was last true");
    });

    it('after a corrected file, or() fires through whenUpstreamChanged() and the and(…) through eager()', async () => {
      await land(engine, `events/${D3}.csv`, 'n\n1\n2\n');
      const evaluation = await evaluate(engine, at(4, 5, 20));
      expect(requested(evaluation)).toEqual([`x/update[${D3}]`, `x/either[${D3}]`, 'x/hourly[2026-11-01]', 'x/hourly[2026-11-02]']);
      const tree = await explain(engine, 'x/either', D3, at(4, 5, 21));
      expect([tree.value, tree.detail, tree.children.map((child) => child.value)]).toEqual([true, '`whenUpstreamChanged()` is true', [false, true]]);
    });
  });
}
