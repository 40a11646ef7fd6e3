// The server's commands: `daybook token …` in-process, and `daybook serve` and `daybook demo` as the
// real bin/daybook.js in a child process, answering HTTP on 127.0.0.1 until SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xnys } from '../../calendars/index.ts';
import { createStore, main } from '../../framework/index.ts';
import { serverCli } from '../../server/cli.ts';
import type { AlertList, AssetList, CreatedToken, TokenList, TokenView } from '../../server/api-types.ts';
import { isolateCliState, type CliDirectories } from '../support/cli.ts';

const BIN = fileURLToPath(new URL('../../bin/daybook.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let dirs: CliDirectories;
beforeAll(async () => {
  dirs = await isolateCliState('server-cli');
});
afterAll(async () => {
  await dirs?.remove();
});

/** Runs `daybook <args>` in this process, with the server's commands. */
async function daybook(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  stderr.on('data', (chunk) => err.push(String(chunk)));
  const code = await main(args, { stdout, stderr, now: Date.now }, serverCli);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('daybook token', () => {
  it('creates, lists and revokes tokens, printing the secret only once', async () => {
    const created = await daybook(['token', 'create', '--role', 'operator', '--name', 'ci-bot', '--json']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const token = JSON.parse(created.stdout) as CreatedToken;
    expect(token).toMatchObject({ name: 'ci-bot', role: 'operator', createdBy: userInfo().username, revokedAt: null, token: expect.stringMatching(/^dbk_/) });

    const text = await daybook(['token', 'list']);
    expect(text.stdout).toMatch(/^id\s+name\s+role\s+prefix\s+created \(UTC\)\s+by\s+revoked \(UTC\)\n/);
    expect(text.stdout).toContain(`ci-bot  operator  ${token.prefix}…`);
    expect(text.stdout).not.toContain(token.token);
    const { tokens } = JSON.parse((await daybook(['token', 'list', '--json'])).stdout) as TokenList;
    expect(tokens.map((t) => [t.name, t.revokedAt])).toEqual([['ci-bot', null]]);

    const revoked = await daybook(['token', 'revoke', 'ci-bot', '--json']);
    expect(revoked.code).toBe(0);
    expect((JSON.parse(revoked.stdout) as TokenView).revokedAt).not.toBeNull();
    const again = await daybook(['token', 'revoke', 'ci-bot']);
    expect(again).toMatchObject({ code: 2, stderr: 'error: no live api token with name "ci-bot"; see daybook token list\n' });

    const store = await createStore({ directory: join(dirs.home, 'store') });
    try {
      const events = await store.listAuditEvents({ action: 'token.revoked' });
      expect(events.map((e) => [e.actor, e.payload.name])).toEqual([[userInfo().username, 'ci-bot']]);
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown role or a malformed name, naming the option', async () => {
    expect(await daybook(['token', 'create', '--role', 'root', '--name', 'x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --role "root": Invalid option: expected one of "viewer"\|"operator"\|"admin"/) });
    expect(await daybook(['token', 'create', '--role', 'viewer', '--name', 'Bad Name'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --name "Bad Name": expected 1 to 64/) });
  });
});

/** Starts bin/daybook.js and resolves with the URL it serves, once it says so. */
function start(args: readonly string[], env: Record<string, string>): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving" line within 120 s:\n${output}`)), 120_000);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const match = /serving the catalog UI at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before serving:\n${output}`)));
  });
  return { child, url, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('daybook serve and demo', () => {
  it('serves the API on 127.0.0.1, creating and printing an admin token on first start only', async () => {
    const env = { DAYBOOK_HOME: join(dirs.root, 'serve-home'), DAYBOOK_LANDING: dirs.landing, DAYBOOK_DATABASE_URL: '' };
    const first = start(['serve', '--port', '0'], env);
    try {
      const url = await first.url;
      const admin = /created the admin token "admin"; it is shown only this once:\n {2}(dbk_\S+)\n/.exec(first.output())?.[1];
      expect(admin).toBeDefined();
      expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ ok: true });
      // Loopback: anonymous reads; the admin token works.
      expect((await fetch(`${url}/api/assets`)).status).toBe(200);
      const tokens = await fetch(`${url}/api/tokens`, { headers: { authorization: `Bearer ${admin}` } });
      expect(((await tokens.json()) as TokenList).tokens.map((t) => t.name)).toEqual(['admin']);
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      expect(await stop(first.child), first.output()).toBe(0);
    }
    const second = start(['serve', '--port', '0'], env);
    try {
      await second.url;
      expect(second.output()).not.toContain('created the admin token');
    } finally {
      expect(await stop(second.child), second.output()).toBe(0);
    }
  });

  it('without a daemon of its own, watches the daemons\' heartbeats and raises the alert for a silent one', async () => {
    const home = join(dirs.root, 'watch-home');
    const env = { DAYBOOK_HOME: home, DAYBOOK_LANDING: dirs.landing, DAYBOOK_DATABASE_URL: '' };
    const store = await createStore({ directory: join(home, 'store') });
    try {
      // A daemon that says it runs but went silent ten minutes ago (it crashed), and one that stopped cleanly.
      await sql`insert into daemons (name, host, pid, state, started_at, heartbeat_at) values
        ('daemon-east', 'host-a', 4242, 'running', now() - interval '1 hour', now() - interval '10 minutes'),
        ('daemon-west', 'host-b', 4343, 'stopped', now() - interval '1 hour', now() - interval '10 minutes')`.execute(store.db);
    } finally {
      await store.close();
    }
    const served = start(['serve', '--no-daemon', '--port', '0'], env);
    try {
      const url = await served.url;
      let alerts: AlertList['alerts'] = [];
      for (let attempt = 0; attempt < 100 && alerts.length === 0; attempt++) {
        alerts = ((await (await fetch(`${url}/api/alerts?kind=daemon-heartbeat`)).json()) as AlertList).alerts;
        if (alerts.length === 0) await sleep(100);
      }
      expect(alerts).toMatchObject([{ key: 'daemon-heartbeat:daemon-east', kind: 'daemon-heartbeat', state: 'firing' }]);
    } finally {
      expect(await stop(served.child), served.output()).toBe(0);
    }
  });

  it('runs the main job, then serves it (npm start)', async () => {
    const calendar = xnys();
    const today = new Date().toISOString().slice(0, 10);
    // Two ended sessions keep the demo short.
    const booksStart = calendar.previous(calendar.previous(today));
    const env = { DAYBOOK_HOME: join(dirs.root, 'demo-home'), DAYBOOK_LANDING: join(dirs.root, 'demo-landing'), DAYBOOK_DATABASE_URL: '', NORTHBRIDGE_START: booksStart };
    const demo = start(['demo', '--port', '0'], env);
    try {
      const url = await demo.url;
      expect(demo.output()).toMatch(/run \S+ succeeded: \d+ steps/);
      const { assets } = (await (await fetch(`${url}/api/assets?group=publish`)).json()) as AssetList;
      expect(assets.map((asset) => [asset.key, asset.freshness.status])).toEqual([
        ['northbridge/risk-positions-file', 'fresh'],
        ['northbridge/finance-pnl-file', 'fresh'],
      ]);
    } finally {
      expect(await stop(demo.child), demo.output()).toBe(0);
    }
  });
});
