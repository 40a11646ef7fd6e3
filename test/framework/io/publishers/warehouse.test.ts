import { join } from 'node:path';
import { createDuckDB } from '../../../../framework/io/duckdb.ts';
import { warehouse } from '../../../../framework/io/publishers/warehouse.ts';
import { publisherContract } from '../../../contracts/publisher.contract.ts';

let path = '';

publisherContract({
  name: 'warehouse',
  newTarget: async (root) => {
    path = join(root, 'warehouse.duckdb');
    return warehouse({ path });
  },
  readRows: async () => {
    const db = await createDuckDB({ path });
    try {
      return await db.withConnection((c) => c.query<Record<string, string | null>>('select columns(*)::varchar from contract__positions'));
    } finally {
      db.close();
    }
  },
});
