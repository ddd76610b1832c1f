#!/usr/bin/env node
// Compiles the service's TypeScript (core, db, vault, bot) file by file into dist/ with esbuild, so
// `dualkey` runs plain JavaScript and compiles nothing at start (issue 12). Run by `npm install`
// (prepare), `npm run build`, and the test run's global setup. Type checking stays with `tsc`.
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** Source folders of the service; tests, bench and manifests are not shipped. */
export const SOURCE_DIRS = ['core', 'db', 'vault', 'bot'];
/** Files read at run time next to the modules that need them. */
const ASSETS = [['db', 'migrations'], ['bot', 'web', 'console', 'console.css']];

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [p] : [];
  });
}

const entryPoints = SOURCE_DIRS.flatMap((d) => sources(path.join(root, d)));
rmSync(dist, { recursive: true, force: true });
await build({ entryPoints, outdir: dist, outbase: root, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
for (const parts of ASSETS) cpSync(path.join(root, ...parts), path.join(dist, ...parts), { recursive: true });
const newest = Math.max(...entryPoints.map((f) => statSync(f).mtimeMs));
mkdirSync(dist, { recursive: true });
// bin/dualkey.js runs dist/ only while no source is newer than this stamp (else it falls back to tsx).
writeFileSync(path.join(dist, 'build-stamp.json'), `${JSON.stringify({ newestSourceMtimeMs: newest, files: entryPoints.length })}\n`);
