// Both audit archives pass the contract: a local directory, and a bucket on a real S3 server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { localAuditArchive, s3AuditArchive } from '../../../framework/index.ts';
import { startS3Server, type TestS3Server } from '../../support/s3-server.ts';
import { auditArchiveContract } from '../../contracts/audit-archive.contract.ts';

let root: string;
let s3: TestS3Server;
let prefixes = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'daybook-archive-'));
  s3 = await startS3Server(['archive']);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await s3.dispose();
});

auditArchiveContract({ name: 'local directory', newArchive: async () => localAuditArchive({ directory: await mkdtemp(join(root, 'local-')) }) });
auditArchiveContract({ name: 'S3 bucket', newArchive: async () => s3AuditArchive({ bucket: 'archive', prefix: `run-${++prefixes}/_audit`, clientConfig: s3.clientConfig }) });
