#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx dualkey` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../bot/cli/main.ts');
