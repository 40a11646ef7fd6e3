// `daybook audit …` end to end on PGlite: who acted, code-version changes, OpenLineage to a file,
// a partition's history, the report, an export and a prune verified across the archive and the
// store, and a tampered event named by verify. The tests share one state directory, in order.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../../framework/store/create-store.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import { isolateCliState, runCli, type CliDirectories } from '../../support/cli.ts';
import { runEventProblems } from '../../support/openlineage-schemas.ts';

const V1 = 'test/framework/cli/fixtures/audit-pipeline.config.ts';
const V2 = 'test/framework/cli/fixtures/audit-pipeline-v2.config.ts';
const DAY = 86_400_000;
const today = new Date().toISOString().slice(0, 10);

let cli: CliDirectories;
let lineageFile: string;

async function withStore<T>(work: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await createStore({ url: '', directory: join(cli.home, 'store') });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  cli = await isolateCliState('audit-cli');
  lineageFile = join(cli.root, 'lineage', 'events.jsonl');
  process.env.DAYBOOK_ACTOR = 'alice';
  process.env.DAYBOOK_OPENLINEAGE_URL = `file:${lineageFile}`;
});
afterAll(async () => {
  delete process.env.DAYBOOK_ACTOR;
  delete process.env.DAYBOOK_OPENLINEAGE_URL;
  await cli?.remove();
});

describe('daybook audit', () => {
  it('records who ran a materialization, each definition when first seen, and sends lineage to the configured file', async () => {
    const result = await runCli(['--config', V1, 'materialize', '--from', '2026-11-02', '--to', '2026-11-03', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { runId: string; steps: number };
    expect(summary.steps).toBe(4);
    await withStore(async (store) => {
      expect(await store.getRun(summary.runId)).toMatchObject({ triggeredBy: 'alice' });
      const added = await store.listAuditEvents({ action: 'asset.definition-added' });
      expect(added.map((event) => [event.asset, event.actor, event.payload.codeVersion])).toEqual([
        ['audit/prices', 'alice', '1'],
        ['audit/summary', 'alice', '1'],
      ]);
    });
    const events = (await readFile(lineageFile, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((event) => event.eventType).sort()).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'START', 'START', 'START', 'START']);
    for (const event of events) expect(runEventProblems(event)).toEqual([]);
  });

  it('records a changed code version once, when definitions with it are first loaded', async () => {
    expect((await runCli(['--config', V2, 'plan', '--json'])).code).toBe(0);
    expect((await runCli(['--config', V2, 'materialize', '--from', '2026-11-02', '--to', '2026-11-03', '--json'])).code).toBe(0);
    await withStore(async (store) => {
      const changed = await store.listAuditEvents({ action: 'asset.code-version-changed' });
      expect(changed).toHaveLength(1);
      expect(changed[0]).toMatchObject({ asset: 'audit/prices', actor: 'alice', payload: { codeVersion: '2', previousCodeVersion: '1', fields: ['codeVersion'] } });
    });
  });

  it('verifies the chain, and shows a partition’s whole history with who ran each change', async () => {
    const verify = await runCli(['--config', V2, 'audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^audit chain verified: \d+ events, head seq \d+ [0-9a-f]{64}\n$/);

    const show = await runCli(['--config', V2, 'audit', 'show', '--asset', 'audit/prices', '--partition', '2026-11-02', '--json']);
    const history = JSON.parse(show.stdout) as { events: { action: string; actor: string; runId: string; source: string }[]; runs: Record<string, { triggeredBy: string; trigger: string }> };
    // A step that ran past 250 ms also has a step.running event.
    expect(history.events.map((event) => event.action).filter((action) => action !== 'step.running')).toEqual(['check.passed', 'asset.materialized', 'check.passed', 'asset.materialized']);
    expect(new Set(history.events.map((event) => history.runs[event.runId]!.triggeredBy))).toEqual(new Set(['alice']));
    const text = await runCli(['--config', V2, 'audit', 'show', '--asset', 'audit/prices', '--partition', '2026-11-02']);
    expect(text.stdout).toMatch(/^audit\/prices\[2026-11-02\]: \d+ events\n/);
    expect(text.stdout).toMatch(/asset\.materialized\s+[0-9a-f]{8}-[0-9a-f]{4} manual by alice\s+1 rows, sha256:[0-9a-f]{12}…/);

    const bad = await runCli(['--config', V2, 'audit', 'show', '--asset', 'audit/prices', '--partition', '2026-13-40']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/2026-13-40/);
  });

  it('reports per asset and session as CSV or JSON', async () => {
    const csv = await runCli(['--config', V2, 'audit', 'report', '--from', '2026-11-02', '--to', '2026-11-03']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^audit\/prices,2026-11-02,1,2,0,2,0,0,1,code-changed:1,alice,,alice,/);
    const json = await runCli(['--config', V2, 'audit', 'report', '--from', '2026-11-02', '--to', '2026-11-03', '--format', 'json']);
    const report = JSON.parse(json.stdout) as { rows: { asset: string; session: string; materializations: number }[] };
    // The summary's input kept its data version, so its planned rerun was skipped as up to date.
    expect(report.rows.map((row) => `${row.asset} ${row.session} ${row.materializations}`)).toEqual(['audit/prices 2026-11-02 2', 'audit/prices 2026-11-03 2', 'audit/summary 2026-11-02 1', 'audit/summary 2026-11-03 1']);
    const wrong = await runCli(['--config', V2, 'audit', 'report', '--from', '2026-11-02', '--to', '2026-11-03', '--format', 'xml']);
    expect(wrong).toMatchObject({ code: 2, stderr: 'error: --format "xml": expected csv or json\n' });
  });

  it('records a forced rerun as an operator action with its reason, which the report shows against the rerun', async () => {
    const result = await runCli(['--config', V2, 'materialize', 'audit/prices', '--partition', '2026-11-03', '--force', '--reason', 'vendor restated prices', '--json']);
    expect(result.code).toBe(0);
    const { runId } = JSON.parse(result.stdout) as { runId: string };
    await withStore(async (store) => {
      expect(await store.listAuditEvents({ action: 'operator.rematerialize' })).toMatchObject([
        { actor: 'alice', runId, payload: { reason: 'vendor restated prices', selection: 'audit/prices', partitions: { partition: '2026-11-03' } } },
      ]);
    });
    const report = await runCli(['--config', V2, 'audit', 'report', '--from', '2026-11-03', '--to', '2026-11-03', '--json']);
    const prices = (JSON.parse(report.stdout) as { rows: { asset: string; reruns: { reason: string; note: string | null; runId: string }[] }[] }).rows.find((row) => row.asset === 'audit/prices')!;
    expect(prices.reruns.map((rerun) => [rerun.reason, rerun.note])).toEqual([
      ['code-changed', null],
      ['forced', 'vendor restated prices'],
    ]);
  });

  it('exports, prunes, and verifies the archive and the store together; the history still reaches the pruned events', async () => {
    const exported = await runCli(['--config', V2, 'audit', 'export', '--to', today]);
    expect(exported.code).toBe(0);
    const location = join(cli.home, 'storage', '_audit');
    expect(exported.stdout).toMatch(new RegExp(`^exported audit events 1\\.\\.\\d+ \\(\\d+ events, 3 runs, ${today} \\.\\. ${today}\\) to ${location}/000001_${today}_${today}_\\d{8}T\\d{6}Z\n`));

    const later = Date.now() + 3 * DAY;
    const pruned = await runCli(['--config', V2, 'audit', 'prune', '--older-than-days', '1'], later);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^pruned \d+ audit events through seq \d+ \(000001_\S+\) and \d+ runs older than /);
    expect(pruned.stdout).toMatch(/\naudit chain verified: \d+ events, head seq/);

    const both = await runCli(['--config', V2, 'audit', 'verify', '--archives']);
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(new RegExp(`^audit archives verified: 1 exports \\(\\d+ events\\) in file:${location}\naudit chain verified: `));
    const show = await runCli(['--config', V2, 'audit', 'show', '--asset', 'audit/prices', '--partition', '2026-11-02', '--json']);
    const sources = (JSON.parse(show.stdout) as { events: { source: string }[] }).events.map((event) => event.source);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    expect(sources.every((source) => source.startsWith('000001_'))).toBe(true);
  });

  it('exits 1 naming the first altered event when one is changed behind the trigger', async () => {
    const seq = await withStore(async (store) => {
      const [event] = await store.listAuditEvents({ action: 'audit.pruned' });
      await store.db.transaction().execute(async (trx) => {
        await sql`alter table audit_events disable trigger audit_events_append_only`.execute(trx);
        await sql`update audit_events set actor = 'mallory' where seq = ${event!.seq}`.execute(trx);
        await sql`alter table audit_events enable trigger audit_events_append_only`.execute(trx);
      });
      return event!.seq;
    });
    const verify = await runCli(['--config', V2, 'audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toBe(`audit chain BROKEN at seq ${seq} (hash-mismatch): audit event ${seq} (audit.pruned): its fields do not match its hash (it was altered)\n`);
    const both = await runCli(['--config', V2, 'audit', 'verify', '--archives', '--json']);
    expect(both.code).toBe(1);
    expect(JSON.parse(both.stdout)).toMatchObject({ ok: false, broken: { where: 'store', seq, reason: 'hash-mismatch' } });
  });
});
