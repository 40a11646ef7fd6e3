import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const executions = "select * from (values ('E1', 100.50::decimal(18,4)), ('E2', 200.25::decimal(18,4))) t(exec_id, notional)";
const trailer = (count: number, notional: string) =>
  `select * from (values ('EXEC', null, null), ('TRAILER', ${count}, ${notional}::decimal(38,4))) t(record_type, control_count, control_notional)`;
const measures = { rows: 'count(*)', notional: 'sum(notional)' };
const control = "select control_count as rows, control_notional as notional from raw where record_type = 'TRAILER'";

describe('reconcile', () => {
  it('passes when count and notional equal the trailer record, with both sides as metrics', async () => {
    harness = await checkHarness({ output: executions, tables: { raw: trailer(2, '300.75') } });
    const result = await reconcile({ measures, control }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: true, metrics: { rows: 2, rows_control: 2, rows_diff: 0, notional: 300.75, notional_control: 300.75, notional_diff: 0 } });
  });

  it('fails naming the measure when the notional is off by more than the tolerance', async () => {
    harness = await checkHarness({ output: executions, tables: { raw: trailer(2, '310.75') } });
    const result = await reconcile({ measures, control, tolerance: 1 }).evaluate(harness.context);
    expect(result.passed).toBe(false);
    expect(result.sampleFailures).toEqual([{ measure: 'notional', actual: 300.75, control: 310.75, diff: -10 }]);
    expect(result.message).toBe('does not reconcile with control: notional 300.75 vs 310.75 (diff -10)');
  });

  it('passes within a percentage tolerance against an upstream asset measured the same way', async () => {
    harness = await checkHarness({ output: executions, tables: { 'nb/upstream': "select * from (values (100.0), (203.0)) t(notional)" } });
    const loose = await reconcile({ measures, control: { asset: 'nb/upstream' }, tolerancePct: 1 }).evaluate(harness.context);
    const strict = await reconcile({ measures, control: { asset: 'nb/upstream' } }).evaluate(harness.context);
    expect(loose.passed).toBe(true);
    expect(strict.passed).toBe(false);
  });

  it('fails when the control has no row, e.g. a file without its trailer', async () => {
    harness = await checkHarness({ output: executions, tables: { raw: "select 'EXEC' as record_type, 1 as control_count, 1 as control_notional" } });
    const result = await reconcile({ measures, control }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: false, metrics: { controlRows: 0 }, message: 'expected one control row from control, found 0' });
  });

  it('compares DECIMAL totals exactly, even where a double cannot tell them apart', async () => {
    const big = "select 1234567890123456.1234::decimal(38, 4) as notional";
    harness = await checkHarness({ output: big, tables: { raw: "select 1234567890123456.1235::decimal(38, 4) as notional" } });
    const result = await reconcile({ measures: { notional: 'sum(notional)' }, control: 'select notional from raw' }).evaluate(harness.context);
    expect(result.passed).toBe(false);
    expect(result.metrics.notional_diff).toBe(-0.0001);
  });

  it('fails when the control has two rows, e.g. a file with two trailers', async () => {
    harness = await checkHarness({ output: executions, tables: { raw: `${trailer(2, '300.75')} union all ${trailer(2, '300.75')}` } });
    const result = await reconcile({ measures, control }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: false, metrics: { controlRows: 2 }, message: 'expected one control row from control, found 2' });
  });
});
