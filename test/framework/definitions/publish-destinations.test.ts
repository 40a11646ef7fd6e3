import { describe, expect, it } from 'vitest';
import { DefinitionError, defineAsset, defineDefinitions, postgresTable, warehouse, type PublishTarget } from '../../../framework/index.ts';

const publishing = (key: string, ...publish: PublishTarget[]) => defineAsset({ key, compute: 'select 1 as x', publish });
const risk = postgresTable({ url: 'postgres://daybook:secret@db.internal:5432/risk' });

describe('two assets publishing to one table', () => {
  it('is rejected when two keys differ only by - and _, naming both keys and the table', () => {
    const define = () => defineDefinitions([publishing('nb/risk-file', warehouse()), publishing('nb/risk_file', warehouse())]);
    expect(define).toThrow(DefinitionError);
    expect(define).toThrow(
      'asset "nb/risk_file": field "publish": assets "nb/risk-file" and "nb/risk_file" would both publish to duckdb://$DAYBOOK_HOME/warehouse.duckdb#main.nb__risk_file (target warehouse)',
    );
  });

  it('is rejected when a / and a __ fold together, on PostgreSQL too, without the credentials in the message', () => {
    const error = (() => {
      try {
        defineDefinitions([publishing('nb/positions', risk), publishing('nb__positions', risk)]);
      } catch (caught) {
        return caught as DefinitionError;
      }
      throw new Error('expected a DefinitionError');
    })();
    expect(error).toMatchObject({ code: 'invalid-definition', asset: 'nb__positions', field: 'publish' });
    expect(error.message).toContain('would both publish to postgres://db.internal:5432/risk#public.nb__positions');
    expect(error.message).not.toContain('secret');
  });

  it('is allowed when the tables are apart: another file, another schema, or a table named by hand', () => {
    expect(defineDefinitions([publishing('nb/a-b', warehouse({ path: 'one.duckdb' })), publishing('nb/a_b', warehouse({ path: 'two.duckdb' }))]).assets).toHaveLength(2);
    expect(defineDefinitions([publishing('nb/a-b', warehouse()), publishing('nb/a_b', warehouse({ schema: 'other' }))]).assets).toHaveLength(2);
    expect(defineDefinitions([publishing('nb/a-b', risk), publishing('nb/a_b', postgresTable({ url: 'postgres://db.internal:5432/risk', table: 'nb_a_b_v2' }))]).assets).toHaveLength(2);
    // One asset may name one table twice; it only replaces its own rows.
    expect(defineDefinitions([publishing('nb/a-b', warehouse(), warehouse())]).assets).toHaveLength(1);
  });
});
