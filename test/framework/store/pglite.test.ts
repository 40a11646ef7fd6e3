import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../framework/index.ts';
import { createStore } from '../../../framework/store/create-store.ts';
import { pgliteHarness } from '../../support/store-harness.ts';
import { storeContract } from './store.contract.ts';

storeContract(pgliteHarness());

const root = await mkdtemp(join(tmpdir(), 'daybook-store-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Starts a process that takes the directory's lock and waits; resolves once it holds it. */
function lockingProcess(directory: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const lock = new URL('../../../framework/store/lock.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(lock)}).then((m) => m.lockDirectory(${JSON.stringify(directory)})).then(() => { console.log('locked'); setInterval(() => {}, 1000); })`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () =>
      resolve({
        pid: child.pid!,
        // SIGKILL: the process gets no chance to remove its lock, as in a crash.
        kill: () => new Promise((done) => (child.kill('SIGKILL'), child.once('exit', () => done()))),
      }),
    );
  });
}

describe('metadata store on pglite, in a data directory', () => {
  it('keeps its data across a close and a reopen, and removes its lock file on close', async () => {
    const directory = join(root, 'persist');
    const store = await createStore({ directory, url: '' });
    expect(store.dialect).toBe('pglite');
    const { run } = await store.createRun({ selection: 'nb/prices', steps: [{ asset: 'nb/prices', partition: '2026-11-20' }] });
    expect(JSON.parse(await readFile(`${directory}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
    await expect(stat(`${directory}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });

    const reopened = await createStore({ directory, url: '' });
    try {
      expect((await reopened.getRun(run.id))?.selection).toBe('nb/prices');
      expect((await reopened.verifyAuditChain()).ok).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a second opener in this process, naming the pid that holds the store', async () => {
    const directory = join(root, 'twice');
    const store = await createStore({ directory, url: '' });
    try {
      const error = await createStore({ directory, url: '' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'store-locked' });
      expect((error as Error).message).toMatch(
        new RegExp(`^the store at ${directory} is in use by pid ${process.pid} \\(since .+\\); stop it or use the running server`),
      );
    } finally {
      await store.close();
    }
  });

  it('refuses while another process holds the store, and takes over once that process has died', async () => {
    const directory = join(root, 'other-process');
    const holder = await lockingProcess(directory);
    try {
      await expect(createStore({ directory, url: '' })).rejects.toThrow(`the store at ${directory} is in use by pid ${holder.pid}`);
    } finally {
      await holder.kill();
    }
    expect(JSON.parse(await readFile(`${directory}.lock`, 'utf8'))).toMatchObject({ pid: holder.pid });
    const store = await createStore({ directory, url: '' });
    try {
      expect(JSON.parse(await readFile(`${directory}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    } finally {
      await store.close();
    }
  });
});
