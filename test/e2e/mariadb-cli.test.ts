import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliWorkspace, type CliWorkspace } from '../support/e2e-cli.js';
import { engineIndependentSkip } from '../support/test-engine.js';

/** `dualkey db-keys …` and `dualkey mariadb config` as spawned CLI processes. */
describe.skipIf(engineIndependentSkip)('database keys and MariaDB configuration from the CLI', () => {
  let ws: CliWorkspace;

  beforeAll(async () => {
    ws = await createCliWorkspace();
    expect((await ws.run(['tenant', 'create', 'acme'])).code).toBe(0);
    expect((await ws.run(['instance', 'create', 'shop-db'])).code).toBe(0);
  });
  afterAll(() => ws?.dispose());

  it('creates, rotates and lists database keys without ever printing one', async () => {
    const init = await ws.run(['db-keys', 'init', 'shop-db', '--json']);
    // No server has recorded an alert channel in this workspace: the reply says so.
    const alerted = { channels: [], notice: expect.stringMatching(/^Nobody could be told outside the console/) };
    expect([init.code, init.json]).toEqual([0, { instance: 'shop-db', keys: [{ keyId: 1, version: 1 }, { keyId: 2, version: 1 }], alerted }]);
    const rotate = await ws.run(['db-keys', 'rotate', 'shop-db', '--id', '1', '--json']);
    expect([rotate.code, rotate.json]).toEqual([0, { instance: 'shop-db', keyId: 1, version: 2, alerted }]);
    const status = await ws.run<{ keys: Array<{ keyId: number; latestVersion: number }> }>(['db-keys', 'status', 'shop-db', '--json']);
    expect(status.json.keys.map((k) => [k.keyId, k.latestVersion])).toEqual([[1, 2], [2, 1]]);
    const usage = await ws.run(['db-keys', 'init', 'shop-db', '--ids', 'one']);
    expect(usage.code).toBe(2);
    for (const r of ws.runs) expect(r.stdout + r.stderr).not.toMatch(/[0-9a-f]{64}/);
  });

  it('prints working [mariadbd] lines, with a token only when asked', async () => {
    const plain = await ws.run(['mariadb', 'config', 'shop-db'], { env: { PUBLIC_URL: 'https://dualkey.example.com' } });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('hashicorp-key-management-vault-url=https://dualkey.example.com/v1/mariadb/shop-db');
    expect(plain.stdout).toContain('hashicorp-key-management-max-retries=3');
    expect(plain.stdout).toContain('hashicorp-key-management-vault-ca=/etc/mysql/dualkey-ca.pem');
    expect(plain.stdout).toContain('innodb-encrypt-log=ON');
    expect(plain.stdout).not.toContain('dkt_');
    const shown = await ws.run<{ token: string; tokenFileContent: string }>(['mariadb', 'config', 'shop-db', '--show-token', '--json']);
    expect(shown.code).toBe(0);
    expect(shown.json.token).toMatch(/^dkt_/);
    expect(shown.json.tokenFileContent).toBe(`[mariadbd]\nhashicorp-key-management-token=${shown.json.token}\n`);
  });

  it('instance set --offline-hook: an admin sets it (secret printed once), bad URLs are refused with hook_url_invalid, "none" removes it; tenant set bounds the drain', async () => {
    const dev = { env: { DUALKEY_DEV_IMPERSONATION: 'true' } };
    for (const [email, name] of [['ann@example.com', 'Ann'], ['bob@example.com', 'Bob']]) {
      expect((await ws.run(['admin', 'add', email!, '--name', name!, '--role', 'global_admin'])).code).toBe(0);
    }
    const set = await ws.run<{ instance: string; offlineHook: string; secret: string }>(['instance', 'set', 'shop-db', '--as', 'ann@example.com', '--offline-hook', 'https://db-host.example.com/dualkey', '--json'], dev);
    expect([set.code, set.json.instance, set.json.offlineHook]).toEqual([0, 'shop-db', 'https://db-host.example.com/dualkey']);
    expect(set.json.secret).toMatch(/^[0-9a-f]{64}$/);
    const bad = await ws.run<{ error: { code: string } }>(['instance', 'set', 'shop-db', '--as', 'ann@example.com', '--offline-hook', 'http://db-host.example.com/dualkey', '--json'], dev);
    expect([bad.code, bad.json.error.code]).toEqual([1, 'hook_url_invalid']);
    expect((await ws.run(['instance', 'set', 'shop-db', '--as', 'ann@example.com'], dev)).code).toBe(2);
    const none = await ws.run(['instance', 'set', 'shop-db', '--as', 'ann@example.com', '--offline-hook', 'none', '--json'], dev);
    expect([none.code, none.json]).toEqual([0, { instance: 'shop-db', offlineHook: null, alerted: { channels: [], notice: expect.stringMatching(/^Nobody could be told/) } }]);
    // A shorter drain strengthens (applies at once); a longer one weakens, and with two global admins needs a request.
    const drain = await ws.run<{ settings: { lockDrainSeconds: number } }>(['tenant', 'set', '--lock-drain-seconds', '60', '--json']);
    expect([drain.code, drain.json.settings.lockDrainSeconds]).toEqual([0, 60]);
    const longer = await ws.run<{ error: { code: string } }>(['tenant', 'set', '--lock-drain-seconds', '300', '--json']);
    expect([longer.code, longer.json.error.code]).toEqual([1, 'settings_change_needs_approval']);
    const tooLong = await ws.run<{ error: { code: string } }>(['tenant', 'set', '--lock-drain-seconds', '901', '--json']);
    expect([tooLong.code, tooLong.json.error.code]).toEqual([1, 'invalid_input']);
    expect((await ws.run(['tenant', 'set', '--lock-drain-seconds', 'soon'])).code).toBe(2);
  });
});
