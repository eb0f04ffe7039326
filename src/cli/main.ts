#!/usr/bin/env node
import 'reflect-metadata';
import { buildProgram } from './program.js';

const program = await buildProgram(process.argv.slice(2));
await program.parseAsync(process.argv);
