import { describe, expect, it } from 'vitest';
import {
  DefinitionError,
  defineAsset,
  defineDefinitions,
  identity,
  multi,
  offset,
  previousSession,
  sessions,
  staticKeys,
} from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';

const days = sessions(xnys(), { start: '2026-11-02', end: '2026-11-30' });
const asset = (key: string, deps: string[] = [], extra = {}) => defineAsset({ key, partitions: days, deps, ...extra });

function errorOf(run: () => unknown): DefinitionError {
  try {
    run();
  } catch (error) {
    if (error instanceof DefinitionError) return error;
    throw error;
  }
  throw new Error('expected a DefinitionError');
}

describe('defineDefinitions', () => {
  it('orders assets so that every upstream comes first and gives each a dense id', () => {
    const defs = defineDefinitions([asset('x/c', ['x/b']), asset('x/b', ['x/a']), asset('x/a')]);
    expect(defs.assets.map((a) => a.key)).toEqual(['x/a', 'x/b', 'x/c']);
    expect(defs.idOf('x/c')).toBe(2);
    expect(defs.dependentsOf(0).map((edge) => defs.assets[edge.downstream]!.key)).toEqual(['x/b']);
    expect(Object.isFrozen(defs)).toBe(true);
  });

  it('rejects duplicate keys', () => {
    const error = errorOf(() => defineDefinitions([asset('x/a'), asset('x/a')]));
    expect(error.code).toBe('duplicate-asset');
    expect(error.message).toBe('asset "x/a" is defined twice');
  });

  it('rejects an unknown dependency, naming the asset and suggesting a close key', () => {
    const error = errorOf(() => defineDefinitions([asset('x/positions'), asset('x/pnl', ['y/positions'])]));
    expect(error.code).toBe('unknown-asset');
    expect(error.message).toBe('asset "x/pnl": field "deps": unknown asset "y/positions"; did you mean "x/positions"?');
  });

  it('prints a cycle', () => {
    const error = errorOf(() => defineDefinitions([asset('x/a', ['x/c']), asset('x/b', ['x/a']), asset('x/c', ['x/b'])]));
    expect(error.code).toBe('dependency-cycle');
    expect(error.message).toBe('dependency cycle: x/a -> x/c -> x/b -> x/a');
  });

  it('allows an asset to read its own previous session', () => {
    const defs = defineDefinitions([defineAsset({ key: 'x/positions', partitions: days, deps: [{ asset: 'x/positions', mapping: previousSession() }] })]);
    expect(defs.depsOf(0)[0]!.self).toBe(true);
  });

  it('rejects a self-dependency that does not point to earlier partitions', () => {
    const error = errorOf(() => defineDefinitions([defineAsset({ key: 'x/a', partitions: days, deps: [{ asset: 'x/a', mapping: offset(1) }] })]));
    expect(error.code).toBe('dependency-cycle');
    expect(error.message).toMatch(/^asset "x\/a": dependency "x\/a": an asset may read itself only from strictly earlier partitions/);
  });

  it('rejects a mapping that cannot apply to the two partitions definitions', () => {
    const brokers = staticKeys(['GSCO', 'MSCO']);
    const error = errorOf(() =>
      defineDefinitions([
        defineAsset({ key: 'x/brokers', partitions: brokers }),
        defineAsset({ key: 'x/daily', partitions: days, deps: [{ asset: 'x/brokers', mapping: identity() }] }),
      ]),
    );
    expect(error.code).toBe('invalid-mapping');
    expect(error.message).toMatch(/^asset "x\/daily": dependency "x\/brokers": the mapping cannot apply/);
  });

  it('rejects two dependencies that would share a relation name', () => {
    const error = errorOf(() => defineDefinitions([asset('x/p'), asset('y/p'), asset('x/q', ['x/p', 'y/p'])]));
    expect(error.message).toBe('asset "x/q": field "deps": two dependencies are named "p"; give one an "as"');
  });

  it('infers a per-dimension mapping between a multi-partitioned asset and its single-dimension upstream', () => {
    const byPortfolio = multi({ date: days, portfolio: staticKeys(['PF001', 'PF002']) });
    const defs = defineDefinitions([asset('x/prices'), defineAsset({ key: 'x/pnl', partitions: byPortfolio, deps: ['x/prices'] })]);
    const edge = defs.depsOf(defs.idOf('x/pnl'))[0]!;
    const needed: string[] = [];
    edge.mapping.forEachUpstream(byPortfolio.indexOf('2026-11-20|PF002'), (u) => needed.push(days.keyAt(u)));
    expect(needed).toEqual(['2026-11-20']);
  });

  it('names unknown assets looked up by key', () => {
    const defs = defineDefinitions([asset('x/a')]);
    expect(() => defs.get('x/b')).toThrowError('unknown asset "x/b"');
  });
});
