#!/usr/bin/env node
// Loads TypeScript sources (the framework and the user's daybook.config.ts) through tsx, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../framework/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
