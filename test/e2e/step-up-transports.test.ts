import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../bot/cli/cli-io.js';
import { runCli } from '../../bot/cli/run-cli.js';
import { nodeCronSchedule } from '../../bot/runtime/node-cron-schedule.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import { ConsoleClient } from '../support/console-client.js';
import { postActivity } from '../support/fake-teams-activities.js';
import { startSlackWorld, USERS, type SlackWorld } from '../support/fake-slack-workspace.js';
import { startTeamsWorld, type TeamsWorld } from '../support/fake-teams-world.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';

type Json = Record<string, unknown>;
const upload = () => ({ kind: 'upload' as const, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
const STEP_UP_LINK = /\/console\/sign-in\/([A-Za-z0-9_-]{43})\?next=%2Fconsole%2Frequests%2F(r-[a-z0-9]+)/;

/** Runs the CLI in process against a world's server database, in `work`, with --json. */
async function runCliIn(w: TeamsWorld, work: string, argv: string[]) {
  const out: string[] = [];
  const io: CliIo = { stdout: (d) => void out.push(d.toString()), stderr: (d) => void out.push(d.toString()), readStdin: async () => Buffer.alloc(0), promptSecret: async () => null, cwd: work };
  const code = await runCli([...argv, '--json'], io, {
    env: { DUALKEY_DATA_DIR: w.server.runtime.dataDir, PUBLIC_URL: 'https://dualkey.example.com' },
    openEngine: (c) => openRuntime(c, { database: w.server.runtime.database, clock: w.clock }),
    serve: async () => undefined,
  });
  return { code, json: JSON.parse(out.join('')) as Json };
}

/**
 * With step-up on, no transport but the console decides a covered request: a Slack button, a Teams card and a
 * CLI token answer `step_up_required` with a one-time console link that signs the admin in on that request's page.
 */
describe('step-up: every other transport refuses with a one-time console link', () => {
  describe('Slack button', () => {
    let w: SlackWorld;
    beforeAll(async () => {
      w = await startSlackWorld();
    });
    afterAll(() => w?.close());

    it('Bob\'s Approve button answers step_up_required with a link that signs him in on the request page; nothing is decided', async () => {
      await w.engine.updateTenantSettings(w.tenantId, { stepUp: ['approve_key_change'] }, nodeCronSchedule());
      const { request } = await w.engine.changeKey({ admin: w.ann.admin, transport: 'web' }, w.instance, upload());
      await w.server.scheduler.deliver();
      const dm = [...w.api.messages.values()].find((m) => m.channel === `D${USERS.bob.slice(1)}` && JSON.stringify(m.blocks).includes(request.id))!;
      const click = await w.slack.click(USERS.bob, dm, 'approve');
      const reply = await w.api.waitForResponse(click.responseUrl);
      const blocks = JSON.stringify(reply.blocks);
      expect(blocks).toContain('step_up_required');
      const [, token, id] = STEP_UP_LINK.exec(blocks)!;
      expect(id).toBe(request.id);
      expect((await w.engine.listRequests(w.tenantId, false)).find((r) => r.id === request.id)?.state).toBe('pending');
      // The link is a sign-in link for Bob that opens the decision page (where the passkey is asked for).
      const browser = new ConsoleClient(w.server.url);
      const signIn = await browser.post(`/console/sign-in/${token}?next=${encodeURIComponent(`/console/requests/${request.id}`)}`, {}, { csrf: null });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('location')).toBe(`/console/requests/${request.id}`);
      const audit = (await w.engine.listAudit({ tenantId: w.tenantId }, 30)).find((e) => e.requestId === request.id && e.code === 'step_up_required');
      expect(audit).toMatchObject({ transport: 'slack', action: 'approve', result: 'refused' });
    });

    it('the slash command answers the same way', async () => {
      const pending = (await w.engine.listRequests(w.tenantId, false))[0]!;
      const cmd = await w.slack.command(USERS.bob, `approve ${pending.id}`);
      const blocks = JSON.stringify((await w.api.waitForResponse(cmd.responseUrl)).blocks);
      expect(blocks).toContain('step_up_required');
      expect(STEP_UP_LINK.exec(blocks)?.[2]).toBe(pending.id);
    });
  });

  describe('Teams card and CLI token', () => {
    let w: TeamsWorld;
    let work: string;
    let requestId = '';
    beforeAll(async () => {
      w = await startTeamsWorld();
      work = mkdtempSync(path.join(tmpdir(), 'dualkey-step-up-'));
      await w.engine.updateTenantSettings(w.tenantId, { stepUp: ['approve_key_change', 'rollback'] }, nodeCronSchedule());
      requestId = (await w.engine.changeKey({ admin: w.admins.ann, transport: 'web' }, w.instance, upload())).request.id;
    });
    afterAll(async () => {
      await w?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('Bob\'s Approve on the card answers step_up_required with the one-time console link', async () => {
      const res = await postActivity(w.server.url, w.activities.cardAction(w.users.bob, 'approve', { dualkey: 'decide', requestId }));
      expect(res.status).toBe(200);
      const text = JSON.stringify((res.body as Json).value);
      expect(text).toContain('step_up_required');
      expect(STEP_UP_LINK.exec(text)?.[2]).toBe(requestId);
      expect(text).toContain('https://dualkey.example.com/console/sign-in/');
    });

    const cli = (argv: string[]) => runCliIn(w, work, argv);

    it('a CLI token answers step_up_required with the link in its own field, not in the message', async () => {
      const { token } = await w.engine.createCliToken({ admin: w.admins.bob, transport: 'web' }, 'step-up test');
      writeFileSync(path.join(work, 'bob.token'), `${token}\n`, { mode: 0o600 });
      const { code, json } = await cli(['rollback', requestId, '--token-file', 'bob.token']);
      expect(code).toBe(1);
      const { error } = json as { error: { code: string; message: string; details: { link: string; request: string } } };
      expect(error.code).toBe('step_up_required');
      expect(error.details.request).toBe(requestId);
      expect(STEP_UP_LINK.exec(error.details.link)?.[2]).toBe(requestId);
      expect(error.message).not.toContain('/console/sign-in/');
      expect((await w.engine.listRequests(w.tenantId, false)).find((r) => r.id === requestId)?.state).toBe('pending');
    });

    it('an uncovered decision still goes through on chat: Bob rejects a roster change from the card', async () => {
      const r = await w.engine.requestAdminChange({ admin: w.admins.ann, transport: 'web' }, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve', role: 'service_admin', instances: [], identities: [] });
      const res = await postActivity(w.server.url, w.activities.cardAction(w.users.bob, 'reject', { dualkey: 'decide', requestId: r.id }));
      expect(JSON.stringify((res.body as Json).value)).not.toContain('step_up_required');
      expect((await w.engine.listRequests(w.tenantId, true)).find((x) => x.id === r.id)?.state).toBe('rejected');
    });

    it('tenant set --step-up: covering more applies at once, turning it off needs a second global admin, a bad mode is a usage error', async () => {
      const more = await cli(['tenant', 'set', '--tenant', 'acme', '--step-up-operations', 'approve_key_change,rollback,approve_lock']);
      expect(more.code).toBe(0);
      expect((more.json as { settings: { stepUp: string[] } }).settings.stepUp).toEqual(['approve_key_change', 'approve_lock', 'rollback']);
      const off = await cli(['tenant', 'set', '--tenant', 'acme', '--step-up', 'off']);
      expect(off).toMatchObject({ code: 1, json: { error: { code: 'settings_change_needs_approval' } } });
      expect((await cli(['tenant', 'set', '--tenant', 'acme', '--step-up', 'sometimes'])).code).toBe(2);
      expect((await w.engine.resolveTenant('acme')).settings.stepUp).toEqual(['approve_key_change', 'approve_lock', 'rollback']);
    });
  });

  describe('CLI unlock', () => {
    let w: TeamsWorld;
    let work: string;
    beforeAll(async () => {
      w = await startTeamsWorld();
      work = mkdtempSync(path.join(tmpdir(), 'dualkey-step-up-unlock-'));
    });
    afterAll(async () => {
      await w?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('a CLI unlock under step-up answers step_up_required with a one-time unlock page link in its own field; the instance stays locked', async () => {
      const bob = { admin: w.admins.bob, transport: 'web' as const };
      const ann = { admin: w.admins.ann, transport: 'web' as const };
      const change = await w.engine.changeKey(ann, w.instance, upload());
      await w.engine.decide(bob, change.request.id, 'approve');
      w.clock.advanceHours(72);
      const lock = await w.engine.requestLock(ann, w.instance, { confirm: w.instance, upload: upload().upload });
      await w.engine.decide(bob, lock.id, 'approve');
      await w.engine.updateTenantSettings(w.tenantId, { stepUp: ['unlock'] }, nodeCronSchedule());
      writeFileSync(path.join(work, 'key.pfx'), fixture('rsa-2048.pfx'));
      writeFileSync(path.join(work, 'password.txt'), FIXTURE_PASSWORD, { mode: 0o600 });
      const { token } = await w.engine.createCliToken(bob, 'step-up unlock test');
      writeFileSync(path.join(work, 'bob.token'), `${token}\n`, { mode: 0o600 });
      const { code, json } = await runCliIn(w, work, ['unlock', w.instance, '--token-file', 'bob.token', '--file', 'key.pfx', '--password-file', 'password.txt']);
      expect(code).toBe(1);
      const { error } = json as { error: { code: string; message: string; details: { link: string; operation: string } } };
      expect([error.code, error.details.operation]).toEqual(['step_up_required', 'unlock']);
      expect(error.details.link).toMatch(/^https:\/\/dualkey\.example\.com\/pages\/[A-Za-z0-9_-]{43}$/);
      expect(error.message).not.toContain('/pages/');
      expect((await w.engine.status(w.tenantId, w.instance))[0]!.state).toBe('locked');
      // The link opens Bob's unlock page on this server; he has no passkey yet, so the page says to register one first.
      const page = await fetch(`${w.server.url}${new URL(error.details.link).pathname}`);
      const html = await page.text();
      expect(html).toContain(`Unlocking ${w.instance} needs a passkey`);
      expect(html).toContain('register one in the console');
    });
  });
});
