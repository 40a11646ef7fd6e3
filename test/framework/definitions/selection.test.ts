import { describe, expect, it } from 'vitest';
import { DefinitionError, defineAsset, defineDefinitions, selectAssets } from '../../../framework/index.ts';

const defs = defineDefinitions([
  defineAsset({ key: 'nb/securities', group: 'reference', tags: { tier: 'gold' } }),
  defineAsset({ key: 'nb/executions', group: 'trading', deps: ['nb/securities'] }),
  defineAsset({ key: 'nb/positions', group: 'trading', tags: { tier: 'gold' }, deps: ['nb/executions'] }),
  defineAsset({ key: 'nb/pnl', group: 'finance', deps: ['nb/positions'] }),
  defineAsset({ key: 'pf/files', group: 'pixelforge' }),
]);
const keys = (selection: string) => selectAssets(defs, selection).map((id) => defs.assets[id]!.key);

describe('selectAssets', () => {
  it('selects everything with *', () => {
    expect(keys('*')).toHaveLength(5);
  });

  it('selects one key, with its upstream, with its downstream, or both', () => {
    expect(keys('nb/positions')).toEqual(['nb/positions']);
    expect(keys('+nb/positions')).toEqual(['nb/securities', 'nb/executions', 'nb/positions']);
    expect(keys('nb/executions+')).toEqual(['nb/executions', 'nb/positions', 'nb/pnl']);
    expect(keys('+nb/executions+')).toEqual(['nb/securities', 'nb/executions', 'nb/positions', 'nb/pnl']);
  });

  it('selects by group, by tag and by key pattern, and unions terms joined by commas', () => {
    expect(keys('group:trading')).toEqual(['nb/executions', 'nb/positions']);
    expect(keys('tag:tier=gold')).toEqual(['nb/securities', 'nb/positions']);
    expect(keys('tag:tier')).toEqual(['nb/securities', 'nb/positions']);
    expect(keys('pf/*')).toEqual(['pf/files']);
    expect(keys('group:finance, pf/files')).toEqual(['nb/pnl', 'pf/files']);
  });

  it('rejects unknown keys, empty matches and malformed terms with a message naming them', () => {
    expect(() => keys('nb/posiitons')).toThrowError(/unknown asset "nb\/posiitons"/);
    expect(() => keys('group:nope')).toThrowError('invalid selection "group:nope": "group:nope" matches no asset');
    expect(() => keys('nb/pnl,,')).toThrowError(DefinitionError);
    expect(() => keys("nb/pnl'; drop table")).toThrowError(/malformed term/);
  });
});
