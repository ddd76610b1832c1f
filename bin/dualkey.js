#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (built by `npm install` / `npm run build`) when it is at least
// as new as every source file; otherwise the TypeScript sources through tsx, so a fresh edit is never
// run stale and `npx dualkey` works without a build step.
import { readdirSync, readFileSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.isDirectory() ? `${e.name}/` : e.name, dir);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function distIsFresh() {
  try {
    const stamp = JSON.parse(readFileSync(new URL('dist/build-stamp.json', root), 'utf8'));
    return ['core', 'db', 'vault', 'bot'].every((d) => newestSource(new URL(`${d}/`, root)) <= stamp.newestSourceMtimeMs);
  } catch {
    return false;
  }
}

if (distIsFresh()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../bot/cli/main.ts');
}
