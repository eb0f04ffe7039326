#!/usr/bin/env node
import 'reflect-metadata';
import { hoistGlobalFlags } from './go-flags.js';
import { buildProgram, prepareArgv } from './program.js';

let argv: string[];
let program: Awaited<ReturnType<typeof buildProgram>>;
try {
  const hoisted = hoistGlobalFlags(process.argv.slice(2));
  program = await buildProgram(hoisted);
  argv = prepareArgv(program, hoisted);
} catch (err) {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
await program.parseAsync(argv, { from: 'user' });
