import type { Command } from 'commander';
import { exportAudit } from '../../audit/export.ts';
import { verifyAuditChainParallel } from '../../audit/parallel-verify.ts';
import { partitionHistory, type PartitionHistory } from '../../audit/partition-history.ts';
import { pruneAudit } from '../../audit/prune.ts';
import { auditReport, auditReportCsv } from '../../audit/report.ts';
import { verifyAuditArchives } from '../../audit/verify-archives.ts';
import { assertAssetKey } from '../../definitions/asset-key.ts';
import type { DaybookConfig } from '../../definitions/config.ts';
import type { Engine } from '../../executor/engine.ts';
import type { JsonObject, JsonValue } from '../../store/schema.ts';
import type { AuditVerification } from '../../store/verify-audit.ts';
import { AuditError } from '../../util/errors.ts';
import { auditArchiveFromEnv } from '../audit-archive-from-env.ts';
import { cliActor, daybookHome, openEngine } from '../open-engine.ts';
import { table, write, type CommandContext } from '../output.ts';

/** `daybook audit verify|show|export|prune|report`: the append-only, hash-chained audit log and its archives (docs/audit.md). */
export function auditCommands(program: Command, context: CommandContext): void {
  const audit = program.command('audit').description('The append-only, hash-chained audit log, its archives and the auditor’s report');
  const withEngine = async <T>(work: (engine: Engine, config: DaybookConfig) => Promise<T>): Promise<T> => {
    const config = await context.load();
    const engine = await openEngine(config);
    try {
      return await work(engine, config);
    } finally {
      await engine.close();
    }
  };
  const out = (text: string) => write(context.io.stdout, text);

  audit
    .command('verify')
    .description('Check every link of the audit chain and report the first broken one (exit code 1)')
    .option('--archives', 'also verify every export (manifests, file hashes, chain), and that the store continues them')
    .option('--json', 'print the verification as JSON')
    .action((flags: { archives?: boolean; json?: boolean }) =>
      withEngine(async (engine, config) => {
        const verifyStore = () => verifyAuditChainParallel(engine.store);
        if (!flags.archives) {
          const result = await verifyStore();
          if (flags.json) await out(JSON.stringify(result) + '\n');
          else await out(result.ok ? `audit chain verified: ${verified(result)}\n` : `audit chain BROKEN at seq ${result.broken!.seq} (${result.broken!.reason}): ${result.broken!.message}\n`);
          if (!result.ok) context.setExitCode(1);
          return;
        }
        const archive = auditArchiveFromEnv(daybookHome(), config);
        const result = await verifyAuditArchives({ store: engine.store, archive, duckdb: engine.duckdb, verifyStore });
        if (flags.json) await out(JSON.stringify(result) + '\n');
        else if (result.ok) {
          const events = result.archives.reduce((sum, item) => sum + item.events, 0);
          await out(`audit archives verified: ${result.archives.length} exports (${events} events) in ${archive.name}\n`);
          await out(`audit chain verified: ${verified(result.store!)}\n`);
        } else {
          const broken = result.broken!;
          await out(`audit chain BROKEN${broken.seq === undefined ? '' : ` at seq ${broken.seq}`} in ${broken.where === 'store' ? 'the store' : `archive ${broken.where}`} (${broken.reason}): ${broken.message}\n`);
        }
        for (const name of result.unregistered) await write(context.io.stderr, `note: ${archive.locate(name)} was never registered (an export that did not finish); it is not part of the chain\n`);
        if (!result.ok) context.setExitCode(1);
      }),
    );

  audit
    .command('show')
    .description("A partition's whole history: every step, materialization, check, publish and operator action, with who ran it")
    .requiredOption('--asset <key>', 'the asset (or source) key')
    .requiredOption('--partition <key>', 'the partition key (`""` for an unpartitioned asset)')
    .option('--json', 'print {"asset","partition","events":[…],"runs":{…}}')
    .action((flags: { asset: string; partition: string; json?: boolean }) =>
      withEngine(async (engine, config) => {
        if (engine.definitions.has(flags.asset)) engine.definitions.get(flags.asset).partitions.indexOf(flags.partition);
        else assertAssetKey(flags.asset, '--asset');
        const history = await partitionHistory({ store: engine.store, asset: flags.asset, partition: flags.partition, archive: auditArchiveFromEnv(daybookHome(), config), duckdb: engine.duckdb });
        if (flags.json) await out(JSON.stringify(history) + '\n');
        else await out(describeHistory(history, engine.definitions.has(flags.asset)));
      }),
    );

  audit
    .command('export')
    .description('Write the events up to the end of --to (UTC) as Parquet with a manifest of hashes, chained to the previous export, and register it')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD (UTC, inclusive)')
    .option('--from <date>', 'first day, YYYY-MM-DD; default the day of the first event not yet exported')
    .option('--json', 'print {"archive":…,"manifest":…}')
    .action((flags: { from?: string; to: string; json?: boolean }) =>
      withEngine(async (engine, config) => {
        const archive = auditArchiveFromEnv(daybookHome(), config);
        const result = await exportAudit({ store: engine.store, archive, duckdb: engine.duckdb, from: flags.from, to: flags.to, actor: cliActor(), now: context.io.now() });
        if (flags.json) {
          await out(JSON.stringify(result) + '\n');
          return;
        }
        const { archive: record } = result;
        await out(
          `exported audit events ${record.firstSeq}..${record.lastSeq} (${record.events} events, ${record.runs} runs, ${record.from} .. ${record.to}) to ${record.location}\n` +
            `manifest sha256 ${record.manifestSha256}; last hash ${record.lastHash}\n`,
        );
      }),
    );

  audit
    .command('prune')
    .description('Remove exported and verified audit events and run details older than the retention from the store')
    .option('--older-than-days <n>', "retention in days; default the config's audit.retentionDays")
    .option('--json', 'print {"cutoff","pruned","message","verification"}')
    .action((flags: { olderThanDays?: string; json?: boolean }) =>
      withEngine(async (engine, config) => {
        const retentionDays = flags.olderThanDays === undefined ? config.audit.retentionDays : Number(flags.olderThanDays);
        if (!Number.isInteger(retentionDays) || retentionDays < 1) {
          throw new AuditError('audit-invalid-request', `--older-than-days ${JSON.stringify(flags.olderThanDays)}: expected a whole number of days ≥ 1`, { field: 'older-than-days' });
        }
        const result = await pruneAudit({
          store: engine.store,
          archive: auditArchiveFromEnv(daybookHome(), config),
          duckdb: engine.duckdb,
          retentionDays,
          now: context.io.now(),
          verifyStore: () => verifyAuditChainParallel(engine.store),
        });
        if (flags.json) await out(JSON.stringify(result) + '\n');
        else await out(`${result.message}\n${result.verification ? `audit chain verified: ${verified(result.verification)}\n` : ''}`);
        if (result.verification && !result.verification.ok) context.setExitCode(1);
      }),
    );

  audit
    .command('report')
    .description("The auditor's report per asset and session: materializations, checks, reruns with reasons and who triggered them, SLA outcomes")
    .requiredOption('--from <date>', 'first session, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last session, YYYY-MM-DD')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--json', 'the same as --format json')
    .action((flags: { from: string; to: string; format: string; json?: boolean }) =>
      withEngine(async (engine, config) => {
        const format = flags.json ? 'json' : flags.format;
        if (format !== 'csv' && format !== 'json') throw new AuditError('audit-invalid-request', `--format ${JSON.stringify(flags.format)}: expected csv or json`, { field: 'format' });
        const report = await auditReport({
          store: engine.store,
          definitions: engine.definitions,
          calendars: config.calendars,
          from: flags.from,
          to: flags.to,
          now: context.io.now(),
          archive: auditArchiveFromEnv(daybookHome(), config),
          duckdb: engine.duckdb,
        });
        await out(format === 'json' ? JSON.stringify(report) + '\n' : auditReportCsv(report));
      }),
    );
}

function verified(result: AuditVerification): string {
  return `${result.checked} events${result.last ? `, head seq ${result.last.seq} ${result.last.hash}` : ''}`;
}

function describeHistory(history: PartitionHistory, known: boolean): string {
  const lines: string[] = [];
  if (!known) lines.push(`note: ${history.asset} is not in the current definitions`);
  if (history.events.length === 0) return [...lines, `no audit events for ${history.asset}[${history.partition}]`].join('\n') + '\n';
  const rows = history.events.map((event) => {
    const run = event.runId === null ? undefined : history.runs[event.runId];
    return [
      String(event.seq),
      event.at.toISOString().replace('T', ' ').slice(0, 23),
      event.actor,
      event.action,
      run ? `${event.runId!.slice(0, 13)} ${run.trigger ?? ''} by ${run.triggeredBy ?? '?'}${run.reason ? ` (${run.reason})` : ''}` : '',
      detailOf(event.action, event.payload),
      event.source === 'store' ? '' : event.source,
    ];
  });
  lines.push(`${history.asset}[${history.partition}]: ${history.events.length} events`, '');
  return lines.join('\n') + '\n' + table(['seq', 'at (UTC)', 'actor', 'action', 'run', 'detail', 'archive'], rows);
}

/** The gist of an event's payload for a table cell. */
function detailOf(action: string, payload: JsonObject): string {
  const text = (value: JsonValue | undefined) => (value === undefined || value === null ? '' : String(value));
  const firstLine = (value: JsonValue | undefined) => text(value).split('\n')[0]!;
  let detail: string;
  if (action === 'asset.materialized') detail = `${text(payload.rowCount)} rows, ${text(payload.dataVersion).slice(0, 19)}…${payload.versionChanged === false ? ' (same data)' : ''}`;
  else if (action.startsWith('check.')) detail = `${text(payload.check)}: ${firstLine(payload.message)}`;
  else if (action === 'step.failed' || action === 'step.blocked-by-check') detail = `attempt ${text(payload.attempt)}: ${firstLine(payload.error)}`;
  else if (action.startsWith('asset.publish')) detail = `${text(payload.target)} ${text(payload.uri)}`;
  else {
    const { step: _step, ...rest } = payload;
    detail = JSON.stringify(rest);
  }
  return detail.length > 100 ? `${detail.slice(0, 99)}…` : detail;
}
