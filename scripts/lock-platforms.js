#!/usr/bin/env node
// The registry mirror this project installs from serves only this machine's platform packages, so npm
// leaves other platforms' optional binaries (DuckDB's, the import resolver's) out of package-lock.json,
// and `npm ci` then refuses the lock as out of sync. This adds the missing entries, marked optional and
// restricted to their os and cpu, so `npm ci` skips them here and installs them where they belong.
// Run it after changing dependencies: `npm install && node scripts/lock-platforms.js`.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM = /(darwin|linux|win32|android|freebsd|openharmony|sunos|aix|netbsd|openbsd)-(arm64|x64|arm|ia32|loong64|ppc64|riscv64|s390x|wasm32)(?:-(gnu|musl))?/;
const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
let added = 0;
for (const entry of Object.values({ ...lock.packages })) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const match = PLATFORM.exec(name);
    lock.packages[key] = {
      version: range.replace(/^[\^~=]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(match ? { os: [match[1]], cpu: [match[2]] } : {}),
      ...(match?.[3] ? { libc: [match[3] === 'gnu' ? 'glibc' : 'musl'] } : {}),
    };
    added++;
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: added ${added} optional platform entries`);
