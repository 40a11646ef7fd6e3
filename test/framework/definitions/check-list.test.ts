import { describe, expect, it } from 'vitest';
import { anomaly, notNull, reconcile, rowCount, unique } from '../../../checks/index.ts';
import { DefinitionError, defineAsset, defineSource } from '../../../framework/index.ts';

describe('check names', () => {
  it('rejects two checks of one name on an asset, naming the asset and the check', () => {
    const define = () => defineAsset({ key: 't/dupes', compute: 'select 1 as x', checks: [unique(['x']), notNull(['x']), unique(['x'])] });
    expect(define).toThrow(DefinitionError);
    expect(define).toThrow('asset "t/dupes": field "checks.2": two checks are named "unique_x"; give one a name of its own');
    expect(() => defineSource({ key: 't/file', location: { pattern: 'f.csv' }, checks: [rowCount(), rowCount({ min: 1 })] })).toThrow(
      'source "t/file": field "checks.1": two checks are named "row_count"',
    );
    expect(defineAsset({ key: 't/named', compute: 'select 1 as x', checks: [unique(['x']), unique(['x'], { name: 'unique_x_again' })] }).checks).toHaveLength(2);
  });

  it('rejects a check that uses a check declared after it, or one the asset does not have', () => {
    const jump = anomaly({ metric: { check: 'control', metric: 'n' }, trailing: 3 });
    const control = reconcile({ name: 'control', measures: { n: 'count(*)' }, control: 'select 1 as n' });
    expect(() => defineAsset({ key: 't/order', compute: 'select 1', checks: [jump, control] })).toThrow(
      'asset "t/order": field "checks.0": check "anomaly_n" uses check "control", which must be declared before it',
    );
    expect(() => defineAsset({ key: 't/order', compute: 'select 1', checks: [jump] })).toThrow('which the asset does not have');
    expect(defineAsset({ key: 't/order', compute: 'select 1', checks: [control, jump] }).checks.map((c) => c.spec.name)).toEqual(['control', 'anomaly_n']);
  });
});
