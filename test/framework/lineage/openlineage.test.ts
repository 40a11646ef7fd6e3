// OpenLineage emission from real materializations on DuckDB and PGlite: a local HTTP server on
// 127.0.0.1 receives the events, and every one validates offline against spec/openlineage's RunEvent
// and each facet's own schema.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCount, unique } from '../../../checks/index.ts';
import { createLineageEmitter, type LineageEmitter } from '../../../framework/lineage/emitter.ts';
import { OPENLINEAGE_SCHEMA_URL, serializeRunEvent, type RunEvent } from '../../../framework/lineage/openlineage-event.ts';
import { fileTransport, httpTransport, lineageTransportFor } from '../../../framework/lineage/transport.ts';
import { defineAsset, defineDefinitions, defineSource, materialize, timeWindows } from '../../../framework/index.ts';
import { runEventProblems } from '../../support/openlineage-schemas.ts';
import { openTestEngine, type TestEngine } from '../../support/test-engine.ts';

const days = timeWindows({ cadence: 'daily', timeZone: 'UTC', start: '2026-11-01', end: '2026-12-01' });
const definitions = defineDefinitions([
  defineSource({ key: 't/trade-file', partitions: days, location: { pattern: 'trades/{partition}.csv' }, checks: [rowCount({ min: 1, name: 'file_not_empty' })] }),
  defineAsset({
    key: 't/trades',
    partitions: days,
    deps: [{ asset: 't/trade-file', as: 'raw' }],
    compute: 'select cast(exec_id as varchar) as exec_id, cast(qty as bigint) as qty from raw',
    checks: [unique(['exec_id'])],
  }),
  defineAsset({ key: 't/summary', partitions: days, deps: ['t/trades'], compute: 'select count(*) as n, sum(qty) as qty from trades' }),
  defineAsset({ key: 't/broken', partitions: days, compute: 'select * from no_such_table' }),
]);
const RANGE = { from: '2026-11-02', to: '2026-11-03', endedBy: Date.parse('2026-11-22T00:00:00Z') };

/** A lineage endpoint on 127.0.0.1 that records what it receives; it can fail or stall requests on purpose. */
interface Endpoint {
  readonly url: string;
  readonly received: RunEvent[];
  /** The bodies received, as sent. */
  readonly bodies: string[];
  requests: number;
  /** Answer 503 to this many requests first. */
  failFirst: number;
  /** Hold each answer this long. */
  delayMs: number;
  /** Never answer. */
  hang: boolean;
  /** How answers are framed: a length, chunks, or a length and `Connection: close`. */
  framing: 'length' | 'chunked' | 'close';
  close(): Promise<void>;
}

async function startEndpoint(): Promise<Endpoint> {
  const open = new Set<ServerResponse>();
  const endpoint = { url: '', received: [] as RunEvent[], bodies: [] as string[], requests: 0, failFirst: 0, delayMs: 0, hang: false, framing: 'length' as Endpoint['framing'], close: async () => undefined };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      endpoint.requests++;
      if (request.method !== 'POST' || request.url !== '/api/v1/lineage') return void response.writeHead(404).end();
      if (endpoint.hang) return void open.add(response);
      if (endpoint.failFirst > 0) {
        endpoint.failFirst--;
        return void response.writeHead(503).end('busy');
      }
      setTimeout(() => {
        endpoint.bodies.push(Buffer.concat(chunks).toString('utf8'));
        endpoint.received.push(JSON.parse(endpoint.bodies.at(-1)!) as RunEvent);
        if (endpoint.framing === 'chunked') {
          response.writeHead(201, { 'content-type': 'application/json' });
          response.write('{"status":');
          response.end('"created"}');
        } else if (endpoint.framing === 'close') response.writeHead(201, { connection: 'close', 'content-length': 2 }).end('{}');
        else response.writeHead(201).end();
      }, endpoint.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = async () => {
    for (const response of open) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return endpoint;
}

let engine: TestEngine;
beforeAll(async () => {
  engine = await openTestEngine({ definitions, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
  await mkdir(join(engine.landing, 'trades'), { recursive: true });
  await writeFile(join(engine.landing, 'trades', '2026-11-02.csv'), 'exec_id,qty\nE1,10\nE2,5\n');
  await writeFile(join(engine.landing, 'trades', '2026-11-03.csv'), 'exec_id,qty\nE1,10\nE1,11\n');
});
afterAll(() => engine?.close());

/** Runs the pipeline with an emitter and returns the run, with `materialize` settled before delivery has to be. */
async function run(lineage: LineageEmitter) {
  return materialize({ ...engine, listeners: [lineage] }, { partitions: RANGE, force: true });
}

/** Events by OpenLineage run (a step), in the order received. */
function byRunId(events: readonly RunEvent[]): Map<string, RunEvent[]> {
  const runs = new Map<string, RunEvent[]>();
  for (const event of events) runs.set(event.run.runId, [...(runs.get(event.run.runId) ?? []), event]);
  return runs;
}

const ofStep = (events: readonly RunEvent[], asset: string, day: string) =>
  events.filter((event) => event.job.name === asset && (event.run.facets.nominalTime?.nominalStartTime as string | undefined)?.startsWith(day));

describe('OpenLineage events over HTTP', () => {
  it('sends START then COMPLETE or FAIL for each step, every event valid against the vendored schemas', async () => {
    const endpoint = await startEndpoint();
    try {
      const lineage = createLineageEmitter({ transport: httpTransport({ url: endpoint.url }) });
      const summary = await run(lineage);
      expect(summary.byStatus).toEqual({ succeeded: 2, 'blocked-by-check': 2, failed: 2 });
      expect(await lineage.close()).toMatchObject({ delivered: 10, failed: 0, dropped: 0, pending: 0 });
      const events = endpoint.received;
      expect(events).toHaveLength(10);
      for (const event of events) expect(runEventProblems(event as unknown as Record<string, unknown>), `${event.eventType} ${event.job.name}`).toEqual([]);
      // Each body is JSON.stringify's text of the event it holds, the parts reused across events included.
      for (const body of endpoint.bodies) expect(body).toBe(JSON.stringify(JSON.parse(body)));

      // One run per step, START first; the Daybook run is the parent of each.
      const byRun = byRunId(events);
      expect([...byRun.values()].map((list) => list.map((event) => event.eventType))).toEqual(Array.from({ length: 5 }, () => ['START', expect.stringMatching(/^(COMPLETE|FAIL)$/)]));
      const steps = await engine.store.listSteps(summary.runId);
      expect([...byRun.keys()].sort()).toEqual(steps.filter((step) => step.asset !== 't/summary' || step.status === 'succeeded').map((step) => step.id).sort());
      for (const event of events) {
        expect(event.job.namespace).toBe('daybook');
        expect(event.run.facets.parent).toMatchObject({ run: { runId: summary.runId }, job: { namespace: 'daybook', name: 'run:*' } });
      }

      const [start, complete] = ofStep(events, 't/trades', '2026-11-02');
      expect(start!.eventType).toBe('START');
      expect(start!.run.facets.nominalTime).toMatchObject({ nominalStartTime: '2026-11-02T00:00:00.000Z', nominalEndTime: '2026-11-03T00:00:00.000Z' });
      expect(complete).toMatchObject({
        eventType: 'COMPLETE',
        job: { name: 't/trades', facets: { sql: { query: expect.stringContaining('from raw'), dialect: 'duckdb' } } },
        inputs: [{ namespace: 'file', name: join(engine.landing, 'trades') }],
        outputs: [{ namespace: 'file', name: join(engine.storageRoot, 't', 'trades') }],
      });
      // The source's check on the input, the output's schema, version, statistics and checks, as stored.
      const [current] = await engine.store.currentMaterializations('t/trades', { partitions: ['2026-11-02'] });
      const input = complete!.inputs[0]!;
      const output = complete!.outputs[0]!;
      expect(input.inputFacets?.dataQualityAssertions).toMatchObject({ assertions: [{ assertion: 'file_not_empty', success: true, severity: 'error' }] });
      expect((input.facets?.schema?.fields as { name: string }[]).map((field) => field.name)).toEqual(['exec_id', 'qty']);
      expect(output.facets?.schema).toMatchObject({ fields: [{ name: 'exec_id', type: 'VARCHAR', ordinal_position: 1 }, { name: 'qty', type: 'BIGINT', ordinal_position: 2 }] });
      expect(output.facets?.version).toMatchObject({ datasetVersion: current!.dataVersion });
      expect(output.outputFacets?.outputStatistics).toMatchObject({ rowCount: current!.rowCount, size: current!.bytes, fileCount: 1 });
      expect(output.facets?.dataQualityAssertions).toMatchObject({ assertions: [{ assertion: 'unique_exec_id', success: true }] });

      // A blocking check fails the step: FAIL with the failed assertion and the message.
      const [, blocked] = ofStep(events, 't/trades', '2026-11-03');
      expect(blocked).toMatchObject({ eventType: 'FAIL', run: { facets: { errorMessage: { message: expect.stringContaining('blocked by check unique_exec_id'), programmingLanguage: 'SQL' } } } });
      expect(blocked!.outputs[0]!.facets?.dataQualityAssertions).toMatchObject({ assertions: [{ assertion: 'unique_exec_id', success: false }] });
      // A compute that fails after its retries: FAIL with DuckDB's error.
      const [, failed] = ofStep(events, 't/broken', '2026-11-02');
      expect(failed!.run.facets.errorMessage).toMatchObject({ message: expect.stringContaining('no_such_table') });
      // A step held back by an upstream check never started: no events for it.
      expect(ofStep(events, 't/summary', '2026-11-03')).toEqual([]);
      expect(ofStep(events, 't/summary', '2026-11-02')[1]!.inputs).toEqual([{ namespace: 'file', name: join(engine.storageRoot, 't', 'trades') }]);
    } finally {
      await endpoint.close();
    }
  });

  it('retries a refused delivery with backoff and loses nothing, each run still starting first', async () => {
    const endpoint = await startEndpoint();
    try {
      endpoint.failFirst = 4;
      const errors: string[] = [];
      const lineage = createLineageEmitter({ transport: httpTransport({ url: endpoint.url, concurrency: 1 }), baseDelayMs: 5, attempts: 6, onError: (message) => errors.push(message) });
      await run(lineage);
      expect(await lineage.close()).toMatchObject({ delivered: 10, failed: 0 });
      expect(errors).toEqual([]);
      // Requests pipelined after a refused one may have been taken too: delivery is at least once.
      expect(endpoint.requests).toBeGreaterThanOrEqual(14);
      const byRun = byRunId(endpoint.received);
      expect(byRun.size).toBe(5);
      for (const list of byRun.values()) {
        expect(new Set(list.map((event) => event.eventType)).size).toBe(2);
        expect(list[0]!.eventType).toBe('START');
      }
    } finally {
      await endpoint.close();
    }
  });

  it('reads chunked answers, and sends the rest again on a new connection when the server closes one', async () => {
    for (const framing of ['chunked', 'close'] as const) {
      const endpoint = await startEndpoint();
      try {
        endpoint.framing = framing;
        const lineage = createLineageEmitter({ transport: httpTransport({ url: endpoint.url }), baseDelayMs: 5 });
        await run(lineage);
        expect(await lineage.close(), framing).toMatchObject({ delivered: 10, failed: 0 });
        expect(new Set(endpoint.received.map((event) => `${event.run.runId} ${event.eventType}`)).size, framing).toBe(10);
      } finally {
        await endpoint.close();
      }
    }
  });

  it('never holds up a step: the run ends while a slow endpoint still has events to take, and close delivers them', async () => {
    const endpoint = await startEndpoint();
    try {
      endpoint.delayMs = 150;
      const lineage = createLineageEmitter({ transport: httpTransport({ url: endpoint.url, concurrency: 1 }) });
      const summary = await run(lineage);
      expect(summary.byStatus.succeeded).toBe(2);
      expect(lineage.stats().pending).toBeGreaterThan(0);
      expect(await lineage.close(30_000)).toMatchObject({ delivered: 10, pending: 0 });
      expect(endpoint.received).toHaveLength(10);
    } finally {
      await endpoint.close();
    }
  });

  it('holds a partial batch for lingerMs, and flushing sends it at once', async () => {
    const endpoint = await startEndpoint();
    try {
      const waiting = createLineageEmitter({ transport: httpTransport({ url: endpoint.url }), lingerMs: 60_000 });
      await run(waiting);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(endpoint.requests).toBe(0);
      expect(waiting.stats().pending).toBe(10);
      const started = performance.now();
      // A run's COMPLETE waits for its START: two rounds of requests, neither lingering.
      expect(await waiting.close(30_000)).toMatchObject({ delivered: 10, pending: 0 });
      expect(performance.now() - started).toBeLessThan(5_000);

      const lingering = createLineageEmitter({ transport: httpTransport({ url: endpoint.url }), lingerMs: 20 });
      await run(lingering);
      await expect.poll(() => lingering.stats().delivered, { timeout: 5_000 }).toBe(10);
      await lingering.close();
      expect(endpoint.received).toHaveLength(20);
    } finally {
      await endpoint.close();
    }
  });

  it('drops events beyond a full queue instead of waiting, and says so once', async () => {
    const endpoint = await startEndpoint();
    try {
      endpoint.hang = true;
      const errors: string[] = [];
      const lineage = createLineageEmitter({ transport: httpTransport({ url: endpoint.url, timeoutMs: 100, concurrency: 1 }), queueSize: 2, attempts: 1, onError: (message) => errors.push(message) });
      const summary = await run(lineage);
      expect(summary.byStatus.succeeded).toBe(2);
      const stats = await lineage.close(5_000);
      expect(stats.dropped).toBeGreaterThan(0);
      expect(stats.emitted + stats.dropped).toBe(10);
      expect(errors[0]).toMatch(/^OpenLineage: 1 event\(s\) dropped \(queue of 2 full\) for http:\/\/127\.0\.0\.1:\d+\/api\/v1\/lineage$/);
    } finally {
      await endpoint.close();
    }
  });
});

describe('OpenLineage HTTP connections', () => {
  it('close() ends a delivery an endpoint never answers, at once, and sends nothing after', async () => {
    const endpoint = await startEndpoint();
    try {
      endpoint.hang = true;
      const errors: string[] = [];
      const lineage = createLineageEmitter({ transport: httpTransport({ url: endpoint.url, timeoutMs: 60_000 }), attempts: 5, onError: (message) => errors.push(message) });
      await run(lineage);
      const started = performance.now();
      expect((await lineage.close(100)).pending).toBeGreaterThan(0);
      await expect.poll(() => lineage.stats().pending).toBe(0);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(lineage.stats()).toMatchObject({ delivered: 0, emitted: 10 });
      expect(errors.join('\n')).toMatch(/gave up on \d+ event\(s\) for http:\/\/127\.0\.0\.1:\d+\/api\/v1\/lineage after 1 attempt\(s\): .*the transport was closed/);
      const requests = endpoint.requests;
      await expect(lineage.transport.send([])).rejects.toThrow(/is closed/);
      expect(endpoint.requests).toBe(requests);
    } finally {
      await endpoint.close();
    }
  });

  it('counts an answer that is not HTTP as a failed delivery, and goes on', async () => {
    const server = createNetServer((socket) => socket.once('data', () => socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const errors: string[] = [];
      const lineage = createLineageEmitter({ transport: httpTransport({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }), attempts: 1, onError: (message) => errors.push(message) });
      const summary = await run(lineage);
      expect(summary.byStatus.succeeded).toBe(2);
      expect(await lineage.close(5_000)).toMatchObject({ delivered: 0, failed: 10, pending: 0 });
      expect(errors[0]).toMatch(/answered with something other than HTTP\/1\.x$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('drops an idle connection the server resets, without an error, and sends the next batch on a new one', async () => {
    let connections = 0;
    const server = createNetServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.on('data', () => {
        socket.write('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const transport = httpTransport({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const event = JSON.parse('{"eventType":"START","eventTime":"2026-11-20T10:00:00.000Z","producer":"urn:test","schemaURL":"x","run":{"runId":"r","facets":{}},"job":{"namespace":"daybook","name":"t/x","facets":{}},"inputs":[],"outputs":[]}') as RunEvent;
      await transport.send([event]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await transport.send([event]);
      expect(connections).toBe(2);
      await transport.close?.();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps a process alive while a batch is in flight, never for an idle connection', async () => {
    const endpoint = await startEndpoint();
    try {
      endpoint.delayMs = 300;
      // A script that sends one batch and never closes its transport: it exits once the batch is answered.
      const transport = new URL('../../../framework/lineage/transport.ts', import.meta.url).href;
      const script = `const { httpTransport } = await import(${JSON.stringify(transport)});
        const event = { eventType: 'START', eventTime: new Date().toISOString(), producer: 'urn:test', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent', run: { runId: '01a2044b-974b-7000-8bc1-73ef3f35b9cf', facets: {} }, job: { namespace: 'daybook', name: 't/x', facets: {} }, inputs: [], outputs: [] };
        void httpTransport({ url: ${JSON.stringify(endpoint.url)} }).send([event]).then(() => console.log('delivered'));`;
      const started = performance.now();
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => (text += String(chunk)));
        child.on('error', reject);
        child.on('exit', () => resolve(text));
      });
      expect(output.trim()).toBe('delivered');
      expect(endpoint.received).toHaveLength(1);
      // node:http keeps an idle connection open 5 s: the script did not wait for it.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await endpoint.close();
    }
  });
});

describe('serializeRunEvent', () => {
  it('gives JSON.stringify’s text: escapes, other scripts, lone surrogates, numbers, absent fields, frozen parts', () => {
    const producer = 'urn:daybook:test';
    const parent = Object.freeze({ _producer: producer, _schemaURL: 'https://openlineage.io/x', run: Object.freeze({ runId: 'r1' }) });
    const event = (runId: string, message: string): RunEvent => ({
      eventType: 'FAIL',
      eventTime: '2026-11-20T10:00:00.000Z',
      producer,
      schemaURL: OPENLINEAGE_SCHEMA_URL,
      run: {
        runId,
        facets: {
          parent,
          errorMessage: { _producer: producer, _schemaURL: 'https://openlineage.io/e', message, stackTrace: undefined, lines: [1, -0, 2.5e-7, NaN, Infinity], tags: [undefined, null, true] },
        },
      },
      job: { namespace: 'daybook', name: 'désk/p&l "eu"', facets: {} },
      inputs: [],
      outputs: [{ namespace: 'file', name: '/srv/daybook/storage/désk', facets: { version: { _producer: producer, _schemaURL: 'https://openlineage.io/v', datasetVersion: 'sha256:ab' } } }],
    });
    for (const message of ['plain', 'quote " back\\slash', 'tab\tnew\nline\u0000nul\u007f', 'caf\u00e9 \u4e2d\u6587 \ud83d\ude00', 'lone \ud800 high', '']) {
      for (const runId of ['01a2044b-974b-7000-8bc1-73ef3f35b9cf', 'r2']) {
        const value = event(runId, message);
        expect(serializeRunEvent(value)).toBe(JSON.stringify(value));
      }
    }
  });
});

describe('OpenLineage events to a JSON-lines file', () => {
  it('appends one valid event per line, a run’s events in order', async () => {
    const file = join(engine.root, 'lineage', 'events.jsonl');
    const transport = lineageTransportFor(`file:${file}`)!;
    expect(transport.name).toBe(`file:${file}`);
    const lineage = createLineageEmitter({ transport });
    await run(lineage);
    await lineage.close();
    const events = (await readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as RunEvent);
    expect(events).toHaveLength(10);
    for (const event of events) expect(runEventProblems(event as unknown as Record<string, unknown>)).toEqual([]);
    for (const list of byRunId(events).values()) expect(list[0]!.eventType).toBe('START');
    expect(fileTransport({ path: file }).name).toBe(`file:${file}`);
  });

  it('chooses the transport from DAYBOOK_OPENLINEAGE_URL: http, https, file, off; anything else names the setting', () => {
    expect(lineageTransportFor(undefined)).toBeUndefined();
    expect(lineageTransportFor('')).toBeUndefined();
    expect(lineageTransportFor('off')).toBeUndefined();
    expect(lineageTransportFor('http://127.0.0.1:5000/')!.name).toBe('http://127.0.0.1:5000/api/v1/lineage');
    expect(lineageTransportFor('https://marquez.internal')!.name).toBe('https://marquez.internal/api/v1/lineage');
    expect(lineageTransportFor('file:///var/log/lineage.jsonl')!.name).toBe('file:/var/log/lineage.jsonl');
    expect(() => lineageTransportFor('kafka://broker:9092')).toThrow(
      'DAYBOOK_OPENLINEAGE_URL "kafka://broker:9092": expected http://host:port, https://…, file:/path/events.jsonl or off',
    );
    expect(() => lineageTransportFor('file:', 'openLineageUrl')).toThrow('openLineageUrl "file:": file: needs a path');
  });
});
