#!/usr/bin/env node
// Compiles the service's TypeScript (core, db, vault, bot) file by file into dist/ with esbuild, so
// `dualkey` runs plain JavaScript and compiles nothing at start (issue 12). Run by `npm install`
// (prepare), `npm run build`, and the test run's global setup. Type checking stays with `tsc`.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** Source folders of the service; tests, bench and manifests are not shipped. */
export const SOURCE_DIRS = ['core', 'db', 'vault', 'bot'];
/** Files read at run time next to the modules that need them. */
const ASSETS = [['db', 'migrations'], ['bot', 'web', 'console', 'console.css'], ['bot', 'web', 'console', 'passkey-ceremony.js']];

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [p] : [];
  });
}

const entryPoints = SOURCE_DIRS.flatMap((d) => sources(path.join(root, d)));
// Every file of the source folders (assets such as migrations included): bin/dualkey.js compares the same set.
const allFiles = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const newest = Math.max(...SOURCE_DIRS.flatMap((d) => allFiles(path.join(root, d))).map((f) => statSync(f).mtimeMs));
const stampFile = path.join(dist, 'build-stamp.json');
const current = (() => {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return null;
  }
})();
// Up to date: nothing to do (a second test run started beside a first one must not pull dist/ from under it).
if (current?.newestSourceMtimeMs === newest && current.files === entryPoints.length && !process.argv.includes('--force')) process.exit(0);

// Built beside dist/ and swapped in with two renames, so a running process never sees half a build.
const staging = path.join(root, `.dist-${process.pid}`);
await build({ entryPoints, outdir: staging, outbase: root, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
for (const parts of ASSETS) cpSync(path.join(root, ...parts), path.join(staging, ...parts), { recursive: true });
mkdirSync(staging, { recursive: true });
// bin/dualkey.js runs dist/ only while no source is newer than this stamp (else it falls back to tsx).
writeFileSync(path.join(staging, 'build-stamp.json'), `${JSON.stringify({ newestSourceMtimeMs: newest, files: entryPoints.length })}\n`);
const old = path.join(root, `.dist-old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
