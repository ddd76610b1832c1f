import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeChatCommand } from '../../bot/commands/execute-chat-command.js';
import { parseChatCommand } from '../../bot/commands/parse-chat-command.js';
import type { CliIo } from '../../bot/cli/cli-io.js';
import { runCli } from '../../bot/cli/run-cli.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import type { AuditEntry } from '../../core/model/audit-entry.js';
import { postActivity } from '../support/fake-teams-activities.js';
import { FakeSlackPlatform } from '../support/fake-slack-platform.js';
import { startTeamsWorld, type TeamsWorld } from '../support/fake-teams-world.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { PagesClient } from '../support/pages-client.js';

const TOKEN = /dkc_[A-Za-z0-9_-]{43}/;
const SLACK_TEAM = 'T0ACME';

/**
 * Issue 8 acceptance: one person holds the operator's CLI and Ann's Slack and Teams accounts (and makes
 * Ann's own CLI token), and tries every path to get a key change approved and a lock completed alone.
 * Nothing decides; every attempt is audited, and every attempt on the two-person rule is alerted to every
 * admin. The server runs without DUALKEY_DEV_IMPERSONATION, and so does the CLI.
 */
describe('one person with the operator CLI and one admin\'s Slack and Teams accounts cannot decide alone', () => {
  let w: TeamsWorld;
  let slack: FakeSlackPlatform;
  const signingSecret = randomBytes(16).toString('hex');
  const work = mkdtempSync(path.join(tmpdir(), 'dualkey-attacker-'));
  /** Every refused attempt, with the code it must be refused with. */
  const attempts: Array<{ via: string; code: string }> = [];

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const io: CliIo = { stdout: (d) => void out.push(d.toString()), stderr: () => {}, readStdin: async () => Buffer.alloc(0), promptSecret: async () => null, cwd: work };
    // The installation's own data dir (its local vault's key directory); key and token files live in `work`.
    const code = await runCli([...argv, '--json'], io, { env: { DUALKEY_DATA_DIR: w.server.runtime.dataDir }, openEngine: (c) => openRuntime(c, { database: w.server.runtime.database, clock: w.clock, logger: w.logger }), serve: async () => undefined });
    return { code, json: JSON.parse(out.join('') || '{}') as { error?: { code: string } } & Record<string, unknown> };
  };
  const lastAudit = async (): Promise<AuditEntry> => (await w.engine.listAudit({ tenantId: w.tenantId }, 1))[0]!;
  /** Runs one attack and checks it was refused with `code`, and audited as such. */
  const attempt = async (via: string, code: string, run: () => Promise<unknown>) => {
    const before = (await lastAudit()).seq;
    await run();
    const entry = await lastAudit();
    expect(entry.seq, via).toBeGreaterThan(before);
    expect({ via, result: entry.result, code: entry.code }).toEqual({ via, result: 'refused', code });
    attempts.push({ via, code });
  };
  // Slack is acknowledged first and answered on response_url once the work is done: wait for that answer.
  const slackCommand = async (text: string) => w.slackApi.waitForResponse((await slack.command('U0ANN', text)).responseUrl);
  const slackClick = async (requestId: string) => w.slackApi.waitForResponse((await slack.click('U0ANN', slackDm(requestId)!, 'approve')).responseUrl);
  const teams = (text: string) => postActivity(w.server.url, w.activities.message(w.users.ann, text));
  const teamsClick = (verb: string, requestId: string) => postActivity(w.server.url, w.activities.cardAction(w.users.ann, verb, { dualkey: 'decide', requestId, outboxId: null }));
  const slackDm = (requestId: string) => [...w.slackApi.messages.values()].find((m) => m.channel === 'D0ANN' && JSON.stringify(m.blocks).includes(requestId));
  const state = async (requestId: string) => (await w.engine.listRequests(w.tenantId, true)).find((r) => r.id === requestId)?.state;

  beforeAll(async () => {
    w = await startTeamsWorld({ DUALKEY_DEV_IMPERSONATION: 'false', SLACK_SIGNING_SECRET: signingSecret });
    expect(w.engine.deps.devImpersonation).toBe(false);
    slack = new FakeSlackPlatform({ serverUrl: w.server.url, signingSecret, clock: w.clock, api: w.slackApi, teamId: SLACK_TEAM });
    writeFileSync(path.join(work, 'pw'), `${FIXTURE_PASSWORD}\n`);
    writeFileSync(path.join(work, 'key.pfx'), fixture('rsa-2048.pfx'));
    // Ann makes her own CLI token (cli-token in chat → one-time page): she holds it, so the attacker does too.
    const reply = await executeChatCommand(w.engine, w.onSlack(w.admins.ann), parseChatCommand('cli-token'), { publicUrl: w.server.url, prefix: '/dualkey' });
    const pageToken = new URL(reply.link!.url).pathname.split('/').pop()!;
    const pages = new PagesClient(w.server.url);
    const form = await pages.open(pageToken);
    const shown = await pages.submit(pageToken, { label: 'attacker' }, { cookie: form.cookie, csrf: form.csrf, headers: { origin: 'https://dualkey.example.com', 'sec-fetch-site': 'same-origin' } });
    expect(shown.text, shown.text.slice(0, 2000)).toMatch(TOKEN);
    writeFileSync(path.join(work, 'ann.token'), TOKEN.exec(shown.text)![0]);
  });
  afterAll(async () => {
    await w?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('gets no key change approved: self-approval on every transport, impersonation, a second identity and shrunk settings are refused, and the deadline rolls it back', async () => {
    const change = await w.engine.changeKey(w.onSlack(w.admins.ann), 'crm-prod', { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    const id = change.request.id;
    await w.server.scheduler.deliver();

    await attempt('Slack /dualkey approve', 'self_approval', () => slackCommand(`approve ${id}`));
    await attempt('Slack Approve button', 'self_approval', () => slackClick(id));
    await attempt('Teams message approve', 'self_approval', () => teams(`approve ${id}`));
    await attempt('Teams card Approve', 'self_approval', () => teamsClick('approve', id));
    await attempt('CLI --as bob', 'operator_cannot_act_as_admin', () => cli('approve', id, '--as', 'bob@example.com'));
    await attempt('CLI --as a case variant of bob', 'operator_cannot_act_as_admin', () => cli('approve', id, '--as', ' BOB@Example.com '));
    await attempt('CLI with Ann\'s own token', 'self_approval', () => cli('approve', id, '--token-file', 'ann.token'));
    // A second identity: Ann's own Teams account added as "Carol", or linked to Dan, who never talks to the bot.
    const annTeams = `${w.users.ann.tenantId}/${w.users.ann.aadObjectId}`;
    await attempt('roster: Ann\'s Teams account as a new admin', 'identity_in_use', () => cli('admin', 'add', 'carol@example.com', '--name', 'Carol', '--role', 'global_admin', '--teams', annTeams, '--token-file', 'ann.token'));
    await attempt('roster: Ann\'s Teams account linked to Dan', 'identity_in_use', () => cli('admin', 'link', 'dan@example.com', '--teams', annTeams, '--token-file', 'ann.token'));
    await attempt('roster: the operator adds an admin directly', 'roster_change_needs_approval', () => cli('admin', 'add', 'carol@example.com', '--name', 'Carol', '--role', 'global_admin'));
    // Shrinking the review window or keeping unreviewed changes: the operator alone, or Ann approving her own request.
    await attempt('settings: the operator shortens the review window', 'settings_change_needs_approval', () => cli('tenant', 'set', '--review-window-hours', '1', '--unreviewed-policy', 'keep'));
    const weaken = await cli('tenant', 'set', '--review-window-hours', '1', '--unreviewed-policy', 'keep', '--token-file', 'ann.token');
    expect(weaken.code).toBe(0);
    const settingsRequest = (weaken.json.request as { id: string }).id;
    await attempt('settings: Ann approves her own weakening', 'self_approval', () => slackCommand(`approve ${settingsRequest}`));

    expect(await state(id)).toBe('pending');
    w.clock.advanceHours(73);
    await w.server.scheduler.tick();
    expect(await state(id)).toBe('expired_rolled_back');
    expect(await state(settingsRequest)).not.toBe('approved');
    expect((await w.engine.status(w.tenantId, 'crm-prod'))[0]).toMatchObject({ state: 'active', keyMode: 'service' });
  });

  it('gets no lock completed: every approval path is refused, the request expires, and the instance stays readable', async () => {
    // hr-prod on Ann's key the two-person way (Bob approves), 72 h before: a lock is allowed, and needs a second admin.
    const upload = await w.engine.changeKey(w.onSlack(w.admins.ann), 'hr-prod', { kind: 'upload', upload: { file: fixture('rsa-3072.pfx'), password: FIXTURE_PASSWORD } });
    await w.engine.decide(w.onSlack(w.admins.bob), upload.request.id, 'approve');
    const instance = (await w.engine.status(w.tenantId, 'hr-prod'))[0]!;
    w.clock.advanceHours(73);
    const lock = await w.engine.requestLock(w.onSlack(w.admins.ann), 'hr-prod', { confirm: 'hr-prod', upload: { file: fixture('rsa-3072.pfx'), password: FIXTURE_PASSWORD } });
    await w.server.scheduler.deliver();

    await attempt('Slack /dualkey approve (lock)', 'self_approval', () => slackCommand(`approve ${lock.id}`));
    await attempt('Slack Approve lock button', 'self_approval', () => slackClick(lock.id));
    await attempt('Teams message approve (lock)', 'self_approval', () => teams(`approve ${lock.id}`));
    await attempt('Teams card Approve lock', 'self_approval', () => teamsClick('approve', lock.id));
    await attempt('CLI --as bob (lock)', 'operator_cannot_act_as_admin', () => cli('approve', lock.id, '--as', 'bob@example.com'));
    await attempt('CLI with Ann\'s own token (lock)', 'self_approval', () => cli('approve', lock.id, '--token-file', 'ann.token'));
    await attempt('CLI: the operator requests a second lock as Ann', 'operator_cannot_act_as_admin', () => cli('lock', 'hr-prod', '--as', 'ann@example.com', '--confirm', 'hr-prod', '--file', 'key.pfx', '--password-file', 'pw'));

    w.clock.advanceHours(25);
    await w.server.scheduler.tick();
    expect(await state(lock.id)).toBe('expired');
    expect((await w.engine.status(w.tenantId, 'hr-prod'))[0]).toMatchObject({ state: 'active', keyMode: 'customer', protector: { fingerprint: instance.protector.fingerprint } });
  });

  it('told every other admin of each attempt on the two-person rule, and audited every attempt', async () => {
    const alerted = attempts.filter((a) => ['self_approval', 'operator_cannot_act_as_admin', 'identity_in_use'].includes(a.code));
    expect(alerted.length).toBeGreaterThanOrEqual(13);
    for (const admin of [w.admins.bob, w.admins.cat, w.admins.dan]) {
      const inbox = await w.engine.deps.uow.run((s) => s.inbox.list(admin.id, 500, 0));
      const refused = inbox.entries.filter((e) => e.message.event === 'attempt_refused');
      expect(refused, admin.email).toHaveLength(alerted.length);
    }
    const audit = await w.engine.listAudit({ tenantId: w.tenantId }, 1000);
    for (const code of new Set(attempts.map((a) => a.code))) {
      expect(audit.filter((e) => e.result === 'refused' && e.code === code).length, code).toBe(attempts.filter((a) => a.code === code).length);
    }
    expect(audit.filter((e) => e.result === 'ok' && ['approve'].includes(e.action) && e.actor.email === 'ann@example.com')).toHaveLength(0);
  });
});
