// Bad upload manifests fail the window's metadata step with a message naming the window and the
// file, and nothing of that window reaches the warehouse.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestPath } from '../../../assets/pixelforge/generator/index.ts';
import { pixelforge } from '../../../assets/pixelforge/index.ts';
import { defineDefinitions, materialize } from '../../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../../support/test-engine.ts';
import { warehouseFiles } from './warehouse-files.ts';

const WINDOW = '2026-11-20T10:00';
const good = {
  file_id: 'pf-202611201000-00001',
  path: 'u/maya.chen/website/hero-0001.png',
  content_type: 'image/png',
  size_bytes: 120_000,
  sha256: 'a'.repeat(64),
  dimensions: '1920x1080',
  uploader: 'maya.chen@globex.example',
  uploaded_at: '2026-11-20T10:03:00.000Z',
};

let engine: TestEngine;

async function runWith(lines: readonly string[]) {
  const path = join(engine.landing, manifestPath(WINDOW));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
  return materialize(engine, { selection: 'pixelforge/media-metadata,pixelforge/media-files', partitions: { partition: WINDOW } });
}

beforeAll(async () => {
  engine = await openTestEngine({ definitions: defineDefinitions(pixelforge), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
});
afterAll(async () => {
  await engine?.close();
});

describe('a bad upload manifest', () => {
  it('fails the window on an unknown content type and a malformed checksum, naming the file ids', async () => {
    const run = await runWith([
      JSON.stringify({ ...good, content_type: 'application/pdf' }),
      JSON.stringify({ ...good, file_id: 'pf-202611201000-00002', sha256: 'not-a-checksum' }),
    ]);
    expect(run).toMatchObject({ status: 'failed', byStatus: { failed: 1, 'upstream-failed': 1 } });
    expect(run.problems[0]!.message).toContain(
      `pixelforge/media-metadata[${WINDOW}]: 2 problem(s): pf-202611201000-00001: unknown content type application/pdf; pf-202611201000-00002: sha256 is not 64 hex digits`,
    );
    expect(existsSync(engine.warehousePath)).toBe(false);
  });

  it('fails a file listed twice with different contents, and a file uploaded outside the window', async () => {
    const run = await runWith([
      JSON.stringify(good),
      JSON.stringify({ ...good, size_bytes: 99 }),
      JSON.stringify({ ...good, file_id: 'pf-202611201015-00001', uploaded_at: '2026-11-20T10:15:00.000Z' }),
    ]);
    expect(run.status).toBe('failed');
    expect(run.problems[0]!.message).toContain('pf-202611201000-00001: listed 2 times with different contents');
    expect(run.problems[0]!.message).toContain('pf-202611201015-00001: uploaded at 2026-11-20T10:15:00, outside the window');
  });

  it('names the file and line of a line that is not JSON', async () => {
    const run = await runWith([JSON.stringify(good), '{"file_id": "pf-202611201000-00002", "path": ']);
    expect(run.status).toBe('failed');
    expect(run.problems[0]!.message).toContain(`file ${join(engine.landing, manifestPath(WINDOW))}, line 2`);
  });

  it('counts a retried line once and loads the window when the manifest is good', async () => {
    const run = await runWith([JSON.stringify(good), JSON.stringify(good), JSON.stringify({ ...good, file_id: 'pf-202611201000-00002', content_type: ' IMAGE/JPG ' })]);
    expect(run).toMatchObject({ status: 'succeeded', byStatus: { succeeded: 2 } });
    const held = await warehouseFiles(engine.warehousePath);
    expect(held.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(['pf-202611201000-00001 png 1920x1080', 'pf-202611201000-00002 jpeg 1920x1080']);
  });
});
