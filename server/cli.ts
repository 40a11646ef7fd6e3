// `daybook serve` and `daybook token …`: commands the server adds to the CLI. framework/ never imports
// server/, so bin/daybook.js passes these to `main()` along with the serve hook `daybook demo` uses.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createStore, daybookHome, openEngine, table, watchDaemons, write, type CliExtensions, type CommandContext, type MetadataStore } from '../framework/index.ts';
import { generateToken, ROLES, type Role } from './auth.ts';
import { createTokenRequestSchema } from './schemas/tokens.ts';
import { serveEngine } from './serve.ts';
import { tokenView } from './views.ts';

/** `daybook serve [--port N] [--host H]`. */
export function serveCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description('Serve the catalog UI, the JSON API (/api), metrics (/metrics) and live events; creates an admin token on first start')
    .option('--port <n>', 'port to listen on', '3000')
    .option('--host <address>', 'address to listen on; anything but loopback makes reads need a token too', '127.0.0.1')
    .option('--no-daemon', 'serve only: no schedules, sensors, conditions or alert rules but the daemons\' heartbeat watch (run `daybook daemon` elsewhere)')
    .action(async (flags: { port: string; host: string; daemon: boolean }) => {
      const config = await context.load();
      const automation = await context.loadAutomation();
      const engine = await openEngine(config);
      // Without a daemon here, the server watches the daemons' heartbeats, as workers do.
      const unwatch = flags.daemon ? undefined : watchDaemons(engine.store, automation, context.io);
      try {
        await serveEngine(engine, { config, ...(flags.daemon ? { automation } : {}), io: context.io, port: Number(flags.port), host: flags.host });
      } finally {
        unwatch?.();
        await engine.close();
      }
    });
}

/** `daybook token create|list|revoke`. */
export function tokenCommands(program: Command, context: CommandContext): void {
  const token = program.command('token').description('Manage the HTTP API bearer tokens (roles: viewer, operator, admin)');
  const { io } = context;

  token
    .command('create')
    .description('Create a token; its secret is printed this once and only its SHA-256 is stored')
    .requiredOption('--name <name>', 'a unique name, written to the audit log as the actor of what the token does')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--json', 'print the token as JSON')
    .action(async (flags: { name: string; role: string; json?: boolean }) => {
      const request = createTokenRequestSchema.safeParse({ name: flags.name, role: flags.role });
      if (!request.success) {
        const issue = request.error.issues[0]!;
        io.stderr.write(`error: --${String(issue.path[0])} ${JSON.stringify(flags[issue.path[0] as 'name' | 'role'])}: ${issue.message}\n`);
        if (flags.json) io.stdout.write(JSON.stringify({ error: { code: 'invalid-request', message: issue.message } }) + '\n');
        context.setExitCode(2);
        return;
      }
      await withStore(async (store) => {
        const { token: secret, hash, prefix } = generateToken();
        const record = await store.createApiToken({ name: request.data.name, role: request.data.role as Role, tokenHash: hash, prefix }, { actor: operator() });
        if (flags.json) return write(io.stdout, JSON.stringify({ ...tokenView(record), token: secret }) + '\n');
        await write(io.stdout, `created token "${record.name}" (${record.role}), id ${record.id}; it is shown only this once:\n  ${secret}\n`);
      });
    });

  token
    .command('list')
    .description('List tokens, live and revoked (never their secrets)')
    .option('--json', 'print {"tokens":[…]}')
    .action(async (flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const tokens = (await store.listApiTokens()).map(tokenView);
        if (flags.json) return write(io.stdout, JSON.stringify({ tokens }) + '\n');
        const rows = tokens.map((t) => [t.id, t.name, t.role, `${t.prefix}…`, t.createdAt.slice(0, 19).replace('T', ' '), t.createdBy, t.revokedAt?.slice(0, 19).replace('T', ' ') ?? '']);
        await write(io.stdout, rows.length === 0 ? 'No tokens yet: daybook token create --role operator --name ci-bot\n' : table(['id', 'name', 'role', 'prefix', 'created (UTC)', 'by', 'revoked (UTC)'], rows));
      });
    });

  token
    .command('revoke')
    .description('Revoke a token by id or name; the server refuses it from then on (within 5 s when it runs in another process)')
    .argument('<token>', 'the token id or name')
    .option('--json', 'print the revoked token as JSON')
    .action(async (idOrName: string, flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const record = tokenView(await store.revokeApiToken(idOrName, { actor: operator() }));
        if (flags.json) return write(io.stdout, JSON.stringify(record) + '\n');
        await write(io.stdout, `revoked token "${record.name}" (${record.role}), id ${record.id}\n`);
      });
    });
}

/** Opens the store where the engine would (PGlite under DAYBOOK_HOME, or DAYBOOK_DATABASE_URL), for token commands that need nothing else. */
async function withStore(work: (store: MetadataStore) => Promise<void>): Promise<void> {
  const store = await createStore({ directory: join(daybookHome(), 'store'), actor: operator() });
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

/** Who runs the CLI, for the audit log. */
function operator(): string {
  try {
    return userInfo().username || 'daybook';
  } catch {
    return 'daybook';
  }
}

/** What bin/daybook.js gives the CLI: these commands, and serving for `daybook demo`. */
export const serverCli: CliExtensions = { commands: [serveCommand, tokenCommands], serve: serveEngine };
