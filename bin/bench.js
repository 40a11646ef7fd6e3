#!/usr/bin/env node
// Runs a benchmark from test/bench/: `npm run bench -- planner`. Each prints its figures, the last line being JSON.
import { readdirSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const names = readdirSync(new URL('../test/bench/', import.meta.url))
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <${names.join('|')}>`);
  process.exit(2);
}
register();
await import(`../test/bench/${name}.bench.ts`);
