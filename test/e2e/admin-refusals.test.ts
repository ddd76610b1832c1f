import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from '../../core/model/admin.js';
import type { CliIo } from '../../bot/cli/cli-io.js';
import { runCli } from '../../bot/cli/run-cli.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import { ConsoleClient, consoleCode } from '../support/console-client.js';
import { personalConversationId, postActivity } from '../support/fake-teams-activities.js';
import { startSlackWorld, USERS, type SlackWorld } from '../support/fake-slack-workspace.js';
import { startTeamsWorld, type TeamsWorld } from '../support/fake-teams-world.js';
import { fixture } from '../support/key-fixtures.js';

const NOT_AT_ALL = /nobody@example\.com is not an administrator of this tenant at all/;
const NOT_OF_INSTANCE = /cat@example\.com is an administrator of this tenant, but not of hr-prod/;
const TOKEN = /dkc_[A-Za-z0-9_-]{43}/;

/**
 * Issue 8 item 9: a refusal about a person says whether they are not an administrator at all (admin_not_found)
 * or not one of that instance (not_admin), in the same words on every transport; and the keyfile inspect of an
 * unprotected PFX says so (pfx_password_required) instead of asking for a password. Also: `cli-token` works from
 * Slack and Teams and answers privately with a one-time link, never the token.
 */
describe('refusals about a person, on every transport', () => {
  describe('Slack and the console', () => {
    let w: SlackWorld;
    const signedIn = async (admin: Admin) => {
      const c = new ConsoleClient(w.server.url);
      expect((await c.signIn((await w.engine.issueSignInLink(admin, 'slack')).token)).status).toBe(303);
      return c;
    };
    beforeAll(async () => {
      w = await startSlackWorld();
      await w.engine.createInstance(w.tenantId, 'hr-prod');
    });
    afterAll(async () => w?.close());

    it('answers a system admin acting on an instance they do not administer with not_admin, saying they are an admin of the tenant', async () => {
      const cmd = await w.slack.command(USERS.cat, 'key revert hr-prod');
      expect(cmd.status).toBe(200);
      const reply = JSON.stringify((await w.api.waitForResponse(cmd.responseUrl)).blocks);
      expect(reply).toContain('not_admin');
      expect(reply).toMatch(NOT_OF_INSTANCE);
    });

    it('console: refuses removing an unknown e-mail with admin_not_found and a system admin\'s revert of another instance with not_admin', async () => {
      const ann = await signedIn(w.ann.admin);
      await ann.get('/console/admins');
      const removal = await ann.post('/console/admins', { op: 'admin_remove', email: 'nobody@example.com' });
      expect(consoleCode(removal)).toBe('admin_not_found');
      expect(removal.text).toMatch(NOT_AT_ALL);
      const cat = await signedIn(w.cat.admin);
      await cat.get('/console/');
      const revert = await cat.post('/console/instances/hr-prod', { op: 'key_revert', confirmed: 'yes' });
      expect(consoleCode(revert)).toBe('not_admin');
      expect(revert.text).toMatch(NOT_OF_INSTANCE);
    });

    it('answers /dualkey cli-token privately with a one-time page link, never the token', async () => {
      const cmd = await w.slack.command(USERS.ann, 'cli-token');
      const reply = await w.api.waitForResponse(cmd.responseUrl);
      expect(reply.response_type).toBe('ephemeral');
      expect(JSON.stringify(reply)).toMatch(/\/pages\/[A-Za-z0-9_-]{43}/);
      expect(JSON.stringify(reply)).not.toMatch(TOKEN);
    });
  });

  describe('Teams and the CLI', () => {
    let w: TeamsWorld;
    let work: string;
    const cli = async (argv: string[]) => {
      const out: string[] = [];
      const io: CliIo = { stdout: (d) => void out.push(d.toString()), stderr: () => undefined, readStdin: async () => Buffer.alloc(0), promptSecret: async () => null, cwd: work };
      const code = await runCli([...argv, '--json'], io, {
        env: { DUALKEY_DATA_DIR: w.server.runtime.dataDir },
        openEngine: (c) => openRuntime(c, { database: w.server.runtime.database, clock: w.clock }),
        serve: async () => undefined,
      });
      return { code, json: JSON.parse(out.join('')) as { error?: { code: string; message: string } } };
    };
    const tokenFile = async (admin: Admin) => {
      const { token } = await w.engine.createCliToken({ admin, transport: 'web' }, 'refusal test');
      writeFileSync(path.join(work, `${admin.name}.token`), `${token}\n`, { mode: 0o600 });
      return `${admin.name}.token`;
    };

    beforeAll(async () => {
      w = await startTeamsWorld();
      work = mkdtempSync(path.join(tmpdir(), 'dualkey-refusals-'));
    });
    afterAll(async () => {
      await w?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('Teams: answers a system admin acting on an instance they do not administer with not_admin, saying they are an admin of the tenant', async () => {
      w.connector.reset();
      expect((await postActivity(w.server.url, w.activities.message(w.users.cat, 'key revert hr-prod'))).status).toBe(200);
      const reply = JSON.stringify(w.connector.sent);
      expect(reply).toContain('not_admin');
      expect(reply).toMatch(NOT_OF_INSTANCE);
    });

    it('Teams: answers cli-token in the personal chat with a one-time page link, never the token', async () => {
      w.connector.reset();
      expect((await postActivity(w.server.url, w.activities.message(w.users.ann, 'cli-token'))).status).toBe(200);
      expect(w.connector.sent).toHaveLength(1);
      expect(w.connector.sent[0]!.conversationId).toBe(personalConversationId(w.users.ann));
      expect(JSON.stringify(w.connector.sent)).toMatch(/\/pages\/[A-Za-z0-9_-]{43}/);
      expect(JSON.stringify(w.connector.sent)).not.toMatch(TOKEN);
    });

    it('CLI: refuses removing an unknown e-mail with admin_not_found and a system admin\'s revert of another instance with not_admin (exit 1)', async () => {
      const removal = await cli(['admin', 'remove', 'nobody@example.com', '--token-file', await tokenFile(w.admins.ann)]);
      expect(removal.code, JSON.stringify(removal.json)).toBe(1);
      expect(removal.json.error).toMatchObject({ code: 'admin_not_found', message: expect.stringMatching(NOT_AT_ALL) });
      const listed = await cli(['token', 'list', '--admin', 'nobody@example.com']);
      expect(listed.json.error).toMatchObject({ code: 'admin_not_found', message: expect.stringMatching(NOT_AT_ALL) });
      const revert = await cli(['key', 'revert', 'hr-prod', '--token-file', await tokenFile(w.admins.cat)]);
      expect(revert.code).toBe(1);
      expect(revert.json.error).toMatchObject({ code: 'not_admin', message: expect.stringMatching(NOT_OF_INSTANCE) });
    });

    it('CLI: keyfile inspect of a PFX with an empty password and no --password-file answers pfx_password_required (exit 1), not a usage error', async () => {
      writeFileSync(path.join(work, 'open.pfx'), fixture('rsa-2048-empty-password.pfx'));
      writeFileSync(path.join(work, 'nomac.pfx'), fixture('rsa-2048-nomac.pfx'));
      writeFileSync(path.join(work, 'protected.pfx'), fixture('rsa-2048.pfx'));
      for (const file of ['open.pfx', 'nomac.pfx']) {
        const r = await cli(['keyfile', 'inspect', file]);
        expect(r.code, file).toBe(1);
        expect(r.json.error?.code, file).toBe('pfx_password_required');
        expect(r.json.error?.message, file).toMatch(/not password protected/);
      }
      // A protected file without a password still asks for one (usage: --password-file or a terminal).
      const asked = await cli(['keyfile', 'inspect', 'protected.pfx']);
      expect(asked.code).toBe(2);
      expect(asked.json.error?.message).toMatch(/--password-file/);
    });
  });
});
