#!/usr/bin/env node
// Loads TypeScript sources (the framework and the user's daybook.config.ts) through tsx, then runs the
// CLI with the server's commands (framework/ never imports server/, so they are passed in here).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../framework/cli/main.ts');
const { serverCli } = await import('../server/cli.ts');
process.exitCode = await main(process.argv.slice(2), undefined, serverCli);
