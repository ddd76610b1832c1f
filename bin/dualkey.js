#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (built by `npm install` / `npm run build`) when it is at least
// as new as every source file; otherwise the TypeScript sources through tsx, so a fresh edit is never
// run stale and `npx dualkey` works without a build step.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestSource(dir) {
  let newest = 0;
  // Plain path strings: some 450 file URLs cost more than the stats themselves, on every command.
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function distIsFresh() {
  try {
    const stamp = JSON.parse(readFileSync(`${root}dist/build-stamp.json`, 'utf8'));
    return ['core', 'db', 'vault', 'bot'].every((d) => newestSource(`${root}${d}`) <= stamp.newestSourceMtimeMs);
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
