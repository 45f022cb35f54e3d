#!/usr/bin/env node
// Runs the TypeScript CLI straight from a clone: tsx compiles on the fly (cached), so there is no
// build step to remember after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
