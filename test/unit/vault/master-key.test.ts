import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MasterKeyError } from '../../../vault/master-key.js';

const posix = process.platform !== 'win32';

describe('loadMasterKey', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dualkey-master-key-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** Writes a key file with the given content and mode, as an operator would. */
  function keyFile(name: string, content: Buffer | string, mode = 0o600): string {
    const file = join(root, name);
    writeFileSync(file, content);
    chmodSync(file, mode);
    return file;
  }

  it('generates a 32-byte key with mode 0600 on first run and reads the same key afterwards', () => {
    const dataDir = join(root, 'data', '.dualkey');
    const first = loadMasterKey({ dataDir });
    expect(first).toHaveLength(32);
    const file = join(dataDir, 'master.key');
    expect(readFileSync(file).equals(first)).toBe(true);
    if (posix) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    }
    expect(loadMasterKey({ dataDir }).equals(first)).toBe(true);
  });

  it('keeps an existing master key file instead of generating a new one', () => {
    const existing = randomBytes(32);
    keyFile('master.key', existing);
    expect(loadMasterKey({ dataDir: root }).equals(existing)).toBe(true);
    expect(readFileSync(join(root, 'master.key')).equals(existing)).toBe(true);
  });

  it('leaves no temporary files behind after generating', () => {
    loadMasterKey({ dataDir: root });
    expect(readdir(root)).toEqual(['master.key']);
  });

  it('gives every one of several processes starting at once the same generated key', async () => {
    const dataDir = join(root, 'data');
    const script = join(root, 'load.ts');
    const moduleUrl = pathToFileURL(resolve('vault/master-key.ts')).href;
    writeFileSync(script, `import { loadMasterKey } from ${JSON.stringify(moduleUrl)};\nprocess.stdout.write(loadMasterKey({ dataDir: process.argv[2] }).toString('hex'));\n`);
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', script, dataDir]);
    const outputs = await Promise.all([run(), run(), run(), run()]);
    const keys = new Set(outputs.map((o) => o.stdout));
    expect(keys.size).toBe(1);
    expect(readFileSync(join(dataDir, 'master.key')).toString('hex')).toBe([...keys][0]);
    expect(readdir(dataDir)).toEqual(['master.key']);
  });

  it.runIf(posix).each([0o644, 0o640, 0o604, 0o660])('refuses to start when the master key file has mode %o, saying how to fix it', (mode) => {
    const file = keyFile('master.key', randomBytes(32), mode);
    expect(() => loadMasterKey({ dataDir: root })).toThrow(MasterKeyError);
    expect(() => loadMasterKey({ dataDir: root })).toThrow(`chmod 600 ${file}`);
  });

  it.runIf(posix)('refuses a group-readable explicit DUALKEY_MASTER_KEY_FILE too', () => {
    const file = keyFile('explicit.key', randomBytes(32), 0o640);
    expect(() => loadMasterKey({ masterKeyFile: file, dataDir: root })).toThrow(/chmod 600/);
  });

  it('accepts an explicit DUALKEY_MASTER_KEY_FILE with 32 raw bytes and does not generate a key in the data dir', () => {
    const key = randomBytes(32);
    const file = keyFile('explicit.key', key);
    const dataDir = join(root, 'data');
    expect(loadMasterKey({ masterKeyFile: file, dataDir }).equals(key)).toBe(true);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
  });

  it.each([
    ['hex', (k: Buffer) => k.toString('hex')],
    ['hex with a trailing newline', (k: Buffer) => `${k.toString('hex').toUpperCase()}\n`],
    ['base64', (k: Buffer) => `${k.toString('base64')}\n`],
    ['base64url', (k: Buffer) => k.toString('base64url')],
  ])('accepts a master key written as %s text', (_name, encode) => {
    const key = randomBytes(32);
    const file = keyFile('explicit.key', encode(key));
    expect(loadMasterKey({ masterKeyFile: file, dataDir: root }).equals(key)).toBe(true);
  });

  it.each([
    ['16 raw bytes', randomBytes(16)],
    ['33 raw bytes', randomBytes(33)],
    ['an empty file', Buffer.alloc(0)],
    ['hex of 31 bytes', randomBytes(31).toString('hex')],
    ['base64 of 48 bytes', randomBytes(48).toString('base64')],
  ])('rejects a master key file holding %s, without echoing its content', (_name, content) => {
    const file = keyFile('explicit.key', content);
    let error: unknown;
    try {
      loadMasterKey({ masterKeyFile: file, dataDir: root });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MasterKeyError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toMatch(/32/);
    const text = Buffer.isBuffer(content) ? content.toString('hex') : content;
    if (text.length > 0) expect(message).not.toContain(text);
  });

  it('fails clearly when an explicit DUALKEY_MASTER_KEY_FILE does not exist, instead of generating one there', () => {
    const file = join(root, 'missing.key');
    expect(() => loadMasterKey({ masterKeyFile: file, dataDir: root })).toThrow(MasterKeyError);
    expect(() => loadMasterKey({ masterKeyFile: file, dataDir: root })).toThrow(file);
    expect(existsSync(file)).toBe(false);
  });
});

function readdir(dir: string): string[] {
  return readdirSync(dir).sort();
}
