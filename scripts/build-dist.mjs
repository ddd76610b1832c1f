#!/usr/bin/env node
// Bundles the service's TypeScript (core, db, vault, bot) from the CLI's entry point into dist/cli/ with
// esbuild, so `dualkey` runs plain JavaScript, compiles nothing at start and loads a few chunks instead
// of some 250 modules (issue 12). Each dynamic import() is a chunk of its own, so a command still loads
// only what it needs; packages other than zod and drizzle-orm stay outside the bundle. Run by
// `npm install` (prepare), `npm run build`, and the test run's global setup. Type checking stays with `tsc`.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** Source folders of the service; tests, bench and manifests are not shipped. */
export const SOURCE_DIRS = ['core', 'db', 'vault', 'bot'];
/** Files the code reads beside itself (`new URL('./x', import.meta.url)`): in the bundle, beside every chunk. */
const ASSETS = [['db', 'migrations'], ['bot', 'web', 'console', 'console.css'], ['bot', 'web', 'console', 'passkey-ceremony.js']];
/** Where the bundle and its chunks go, under dist/. */
const BUNDLE_DIR = 'cli';
/**
 * Pure-JavaScript packages every command loads, bundled in: zod and drizzle-orm are some 200 small modules
 * that node would otherwise resolve and load one by one. Every other package stays external (native
 * addons, WebAssembly, the SDKs only `serve` loads).
 */
const BUNDLED_PACKAGES = ['zod', 'drizzle-orm'];
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
  .filter((name) => !BUNDLED_PACKAGES.includes(name))
  .flatMap((name) => [name, `${name}/*`]);

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [p] : [];
  });
}

// Every TypeScript source of the service: the bundle is stale when one is newer or one was added or removed.
const sourceFiles = SOURCE_DIRS.flatMap((d) => sources(path.join(root, d)));
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
if (current?.newestSourceMtimeMs === newest && current.files === sourceFiles.length && !process.argv.includes('--force')) process.exit(0);

// Built beside dist/ and swapped in with two renames, so a running process never sees half a build.
const staging = path.join(root, `.dist-${process.pid}`);
const outdir = path.join(staging, BUNDLE_DIR);
await build({
  entryPoints: [path.join(root, 'bot', 'cli', 'main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  external,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const parts of ASSETS) cpSync(path.join(root, ...parts), path.join(outdir, parts.at(-1)), { recursive: true });
mkdirSync(staging, { recursive: true });
// bin/dualkey.js runs dist/ only while no source is newer than this stamp (else it falls back to tsx).
writeFileSync(path.join(staging, 'build-stamp.json'), `${JSON.stringify({ newestSourceMtimeMs: newest, files: sourceFiles.length })}\n`);
const old = path.join(root, `.dist-old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
