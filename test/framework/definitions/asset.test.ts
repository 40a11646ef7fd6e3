import { describe, expect, it } from 'vitest';
import { DefinitionError, defineAsset, defineSource, multi, sessions, staticKeys } from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';

const days = sessions(xnys(), { start: '2026-01-02' });

describe('defineAsset', () => {
  it('fills defaults and freezes the definition', () => {
    const asset = defineAsset({ key: 'northbridge/pnl', partitions: days, deps: ['northbridge/positions'] });
    expect(asset.group).toBe('northbridge');
    expect(asset.owners).toEqual([]);
    expect(asset.deps).toEqual([{ asset: 'northbridge/positions', mapping: undefined, as: 'positions' }]);
    expect(Object.isFrozen(asset)).toBe(true);
    expect(Object.isFrozen(asset.deps)).toBe(true);
  });

  it('names the relation after the last key segment with dashes as underscores', () => {
    const asset = defineAsset({ key: 'a/b', deps: ['northbridge/fx-rates'] });
    expect(asset.deps[0]!.as).toBe('fx_rates');
  });

  it('rejects a malformed key, naming the field', () => {
    expect(() => defineAsset({ key: 'NorthBridge/PnL' })).toThrowError(/asset "NorthBridge\/PnL": field "key": malformed asset key/);
    expect(() => defineAsset({ key: '../etc/passwd' })).toThrowError(DefinitionError);
  });

  it('names the asset and the field of a bad value', () => {
    let error: DefinitionError | undefined;
    try {
      defineAsset({ key: 'northbridge/pnl', owners: 'team:finance' as unknown as string[] });
    } catch (caught) {
      error = caught as DefinitionError;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error!.message).toMatch(/^asset "northbridge\/pnl": field "owners"/);
    expect(error!.asset).toBe('northbridge/pnl');
    expect(error!.field).toBe('owners');
  });

  it('rejects unknown fields and a dependency with a malformed key', () => {
    expect(() => defineAsset({ key: 'a/b', colour: 'red' } as never)).toThrowError(/asset "a\/b".*colour/);
    expect(() => defineAsset({ key: 'a/b', deps: ['Not A Key'] })).toThrowError(/asset "a\/b": field "deps.0"/);
  });

  it('rejects a bad SLA deadline and time zone', () => {
    expect(() =>
      defineAsset({ key: 'a/b', sla: { deadline: '6:30', tz: 'America/New_York', partition: 'previousSession' } }),
    ).toThrowError(/field "sla.deadline": expected HH:MM/);
    expect(() => defineAsset({ key: 'a/b', sla: { deadline: '06:30', tz: 'Mars/Olympus', partition: 'previousSession' } })).toThrowError(
      /field "sla.tz": unknown IANA time zone/,
    );
  });

  it('rejects a partitions value that is not a definition', () => {
    expect(() => defineAsset({ key: 'a/b', partitions: ['2026-01-02'] as never })).toThrowError(/field "partitions": expected a partitions definition/);
  });
});

describe('defineSource', () => {
  const byBroker = multi({ date: days, broker: staticKeys(['GSCO', 'MSCO']) });

  it('infers the format from the pattern', () => {
    const source = defineSource({ key: 'nb/files', partitions: byBroker, location: { pattern: 'executions/{broker}/{date}.csv' } });
    expect(source.kind).toBe('source');
    expect(source.location).toEqual({ pattern: 'executions/{broker}/{date}.csv', format: 'csv' });
  });

  it('leaves the format to each file when the pattern ends in .*', () => {
    const source = defineSource({ key: 'nb/files', partitions: byBroker, location: { pattern: 'executions/{broker}/{date}.*' } });
    expect(source.location!.format).toBeUndefined();
  });

  it('rejects a placeholder that is not a dimension', () => {
    expect(() => defineSource({ key: 'nb/files', partitions: byBroker, location: { pattern: 'x/{portfolio}/{date}.csv' } })).toThrowError(
      /source "nb\/files": field "location.pattern": placeholder \{portfolio\}.*expected one of: date, broker/,
    );
  });

  it('rejects a pattern that climbs out of the landing directory', () => {
    expect(() => defineSource({ key: 'nb/files', partitions: days, location: { pattern: '../secrets/{date}.csv' } })).toThrowError(
      /field "location.pattern": must be a relative path/,
    );
  });
});
