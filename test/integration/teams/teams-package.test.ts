import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../../manifests/teams/png.js';
import { readZip } from '../../../manifests/teams/read-zip.js';

const run = promisify(execFile);
const CLIENT_ID = '0b0b0b0b-1111-4222-8333-444455556666';

/** `npm run teams:package` end to end: the zip is read back and its manifest and icons checked. */
describe('npm run teams:package', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dualkey-teams-package-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pack = (env: Record<string, string>, out: string) =>
    run('npm', ['run', '--silent', 'teams:package', '--', '--out', out], { env: { ...process.env, TEAMS_CLIENT_ID: '', PUBLIC_URL: '', TEAMS_APP_ID: '', ...env } });

  it('produces a zip whose manifest references both icons, at 192×192 (color) and 32×32 white on transparent (outline)', async () => {
    const out = path.join(dir, 'dualkey-teams.zip');
    await pack({ TEAMS_CLIENT_ID: CLIENT_ID, PUBLIC_URL: 'https://dualkey.example.com/' }, out);
    const files = readZip(readFileSync(out));
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const text = files.get('manifest.json')!.toString('utf8');
    expect(text).not.toContain('${{');
    const manifest = JSON.parse(text) as { manifestVersion: string; id: string; icons: { color: string; outline: string }; bots: Array<{ botId: string; scopes: string[] }>; validDomains: string[] };
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.id).toBe(CLIENT_ID);
    expect(manifest.bots[0]).toMatchObject({ botId: CLIENT_ID, scopes: ['personal', 'team', 'groupChat'] });
    expect(manifest.validDomains).toEqual(['dualkey.example.com']);
    const color = decodePng(files.get(manifest.icons.color)!);
    const outline = decodePng(files.get(manifest.icons.outline)!);
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const alpha = [...outline.pixels].filter((_, i) => i % 4 === 3);
    expect(alpha[0]).toBe(0);
    expect(alpha.some((a) => a === 255)).toBe(true);
  });

  it('refuses without the bot id or an https PUBLIC_URL, saying what to set (exit 2)', async () => {
    const failure = await pack({ PUBLIC_URL: 'http://dualkey.example.com' }, path.join(dir, 'nope.zip')).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('TEAMS_CLIENT_ID must be');
    expect(failure?.stderr).toContain('PUBLIC_URL must be the https:// URL');
  });
});
