import { randomBytes } from 'node:crypto';
import { asc, eq, gte, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_HEAD_LABEL } from '../../../core/alerts/audit-head-fact.js';
import { chainHash } from '../../../core/audit/hash-chain.js';
import { parseAuditHead } from '../../../core/audit/parse-audit-head.js';
import { createEngine } from '../../../core/engine.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';
import type { Transport } from '../../../core/model/request.js';
import { EmailChannel } from '../../../bot/channels/email-channel.js';
import { runCli } from '../../../bot/cli/run-cli.js';
import type { CliIo } from '../../../bot/cli/cli-io.js';
import { renderAlertBlocks } from '../../../bot/slack/render-alert-blocks.js';
import { renderAlertCard } from '../../../bot/teams/alert-card.js';
import { auditAnchor, auditEntries, outbox } from '../../../db/schema/index.js';
import { LocalVault } from '../../../vault/local-vault.js';
import { asCli, createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FakeSmtpServer } from '../../support/fake-smtp-server.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const upload = () => ({ kind: 'upload' as const, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
const headOf = (m: AlertMessage) => m.facts.find(([label]) => label === AUDIT_HEAD_LABEL)?.[1];

/** Issue 8 item 8: the audit chain is keyed by the vault and anchored outside the database. */
describe('the keyed, externally anchored audit chain', () => {
  let h: Harness;
  let s: Seeded;
  let requestId: string;

  /** The CLI in-process on the harness engine, as the operator runs it. */
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const io: CliIo = { stdout: (d) => void out.push(d.toString()), stderr: (d) => void out.push(d), readStdin: async () => Buffer.alloc(0), promptSecret: async () => null, cwd: h.keyDir };
    const code = await runCli([...argv, '--json'], io, { env: {}, openEngine: async () => ({ engine: h.engine, close: async () => undefined }), serve: async () => undefined });
    return { code, json: JSON.parse(out.at(-1) ?? 'null') as Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } } };
  };
  const entries = () => h.db.database.transaction((tx) => tx.select().from(auditEntries).orderBy(asc(auditEntries.seq)));
  const alertsOf = async (event: string) => (await h.db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.requestId, requestId)))).filter((r) => r.message.event === event);

  /** What whoever writes the database does: change one entry, recompute every keyless hash after it the old way, move the anchor. */
  async function rewriteKeyless(seq: number, change: (e: typeof auditEntries.$inferSelect) => Partial<typeof auditEntries.$inferSelect>) {
    await h.db.database.transaction(async (tx) => {
      let prevHash = '0'.repeat(64);
      for (const row of await tx.select().from(auditEntries).orderBy(asc(auditEntries.seq))) {
        const e = row.seq === seq ? { ...row, ...change(row) } : row;
        const hash = chainHash(prevHash, e.seq, { ...e, transport: e.transport as Transport });
        await tx.update(auditEntries).set({ actor: e.actor, transport: e.transport, prevHash, hash }).where(eq(auditEntries.seq, e.seq));
        await tx.update(auditAnchor).set({ seq: e.seq, hash });
        prevHash = hash;
      }
    });
  }

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    // Ann changes the key in Slack; Bob's approval is the operator impersonating him from the CLI.
    requestId = (await h.engine.changeKey({ ...s.ann, transport: 'slack', impersonatedBy: undefined }, s.instance, upload())).request.id;
    await h.engine.decide(asCli(s.bob.admin), requestId, 'approve');
  });
  afterEach(() => h.dispose());

  it('tags every entry written through the engine with the vault-derived key', async () => {
    const rows = await entries();
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect(r.tag).toMatch(/^[0-9a-f]{64}$/);
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true, keyedFrom: 1, legacyEntries: 0 });
  });

  it('fails verification, naming the entry, after "operator impersonated Bob" is rewritten to "Bob via Slack" with recomputed keyless hashes', async () => {
    const approval = (await entries()).find((e) => e.action === 'approve' && e.result === 'ok' && e.requestId === requestId)!;
    expect(approval.actor).toMatchObject({ email: 'bob@example.com', impersonatedBy: 'operator' });
    expect(approval.transport).toBe('cli');
    await rewriteKeyless(approval.seq, (e) => ({ actor: { ...e.actor, impersonatedBy: null }, transport: 'slack' }));
    const forged = (await entries()).find((e) => e.seq === approval.seq)!;
    expect(forged).toMatchObject({ transport: 'slack', actor: { impersonatedBy: null } });

    expect(await h.engine.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: approval.seq, reason: expect.stringContaining('tag') });
    const r = await cli('audit', 'verify');
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'audit_chain_broken', details: { firstBadSeq: approval.seq } });
    expect(r.json.error!.message).toContain(`entry ${approval.seq}`);
  });

  it('fails verification when the forger also strips the tags to pass the rewritten entries off as written before keyed audit', async () => {
    const approval = (await entries()).find((e) => e.action === 'approve' && e.result === 'ok' && e.requestId === requestId)!;
    await rewriteKeyless(approval.seq, (e) => ({ actor: { ...e.actor, impersonatedBy: null }, transport: 'slack' }));
    await h.db.database.transaction((tx) => tx.update(auditEntries).set({ tag: null }).where(gte(auditEntries.seq, approval.seq)));
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: approval.seq });
  });

  it('passes --against with the head an alert carried, and fails it once the chain is truncated or rewritten after it', async () => {
    const decision = (await alertsOf('request_decided'))[0]!;
    const shown = headOf(decision.message)!;
    expect(shown).toMatch(/^audit #\d+ · [0-9a-f]{8}$/);
    const head = parseAuditHead(shown);
    const arg = `${head.seq}:${head.hashPrefix}`;
    expect(await cli('audit', 'verify', '--against', arg)).toMatchObject({ code: 0, json: { ok: true, against: head } });

    // Truncate from the anchored entry on and move the stored anchor back: the database alone still looks intact.
    await h.db.database.transaction(async (tx) => {
      await tx.delete(auditEntries).where(gte(auditEntries.seq, head.seq));
      const [last] = await tx.select().from(auditEntries).orderBy(sql`${auditEntries.seq} desc`).limit(1);
      await tx.update(auditAnchor).set({ seq: last!.seq, hash: last!.hash });
    });
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true });
    const truncated = await cli('audit', 'verify', '--against', arg);
    expect(truncated.code).toBe(1);
    expect(truncated.json.error).toMatchObject({ code: 'audit_chain_broken', details: { firstBadSeq: head.seq } });

    // New activity (keyed by the real server) fills the same sequence numbers again: still not the entry the alert named.
    await refusal(() => h.engine.decide(s.ann, requestId, 'approve'));
    await h.engine.createInstance(s.tenant.id, 'hr-prod');
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true });
    expect((await entries()).at(-1)!.seq).toBeGreaterThanOrEqual(head.seq);
    const refilled = await cli('audit', 'verify', '--against', arg);
    expect(refilled.json.error).toMatchObject({ code: 'audit_chain_broken', details: { firstBadSeq: head.seq } });
    expect(refilled.json.error!.message).toContain('rewritten');
  });

  it('keeps entries written before keyed audit, chains the first keyed entry over the last of them, and says where keyed protection begins', async () => {
    // A database from before this change: every entry keyless (what migration 0011 leaves behind).
    await h.db.database.transaction((tx) => tx.update(auditEntries).set({ tag: null }));
    const legacy = (await entries()).length;
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true, keyedFrom: null, legacyEntries: legacy });
    await h.engine.createInstance(s.tenant.id, 'hr-prod');
    const [lastLegacy, firstKeyed] = (await entries()).slice(legacy - 1);
    expect(firstKeyed).toMatchObject({ seq: legacy + 1, prevHash: lastLegacy!.hash, tag: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true, keyedFrom: legacy + 1, legacyEntries: legacy });
    const r = await cli('audit', 'verify');
    expect(r).toMatchObject({ code: 0, json: { keyedFrom: legacy + 1, legacyEntries: legacy } });
    // The legacy prefix is sealed by the first keyed entry: rewriting it now breaks that entry's tag.
    const approval = (await entries()).find((e) => e.action === 'approve' && e.result === 'ok' && e.requestId === requestId)!;
    await rewriteKeyless(approval.seq, (e) => ({ actor: { ...e.actor, impersonatedBy: null }, transport: 'slack' }));
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: legacy + 1 });
  });

  it('refuses an --against value that is not <seq>:<hash>', async () => {
    for (const bad of ['7', '7:9f3a', 'seven:9f3a2c1b', '0:9f3a2c1b', '7:zzzzzzzz']) {
      expect((await cli('audit', 'verify', '--against', bad)).json.error).toMatchObject({ code: 'invalid_input' });
    }
  });

  it('carries the head in every alert copy: e-mail text, Slack and Teams text, the console inbox, and the digest', async () => {
    const opened = (await alertsOf('key_change_opened'))[0]!;
    const shown = headOf(opened.message)!;
    const head = parseAuditHead(shown);
    // The head of the key change's own commit: its audit entry is the one the alert names.
    const entry = (await entries()).find((e) => e.seq === head.seq)!;
    expect(entry).toMatchObject({ action: 'key_upload', requestId });
    expect(entry.hash.startsWith(head.hashPrefix)).toBe(true);

    const smtp = await FakeSmtpServer.start();
    const email = new EmailChannel({ smtpUrl: smtp.url, from: 'dualkey@dualkey.example.com', publicUrl: 'https://dualkey.example.com' });
    try {
      await h.engine.deliverOutbox({ channels: { email } });
      const [mail] = smtp.mailbox('cat@example.com').filter((m) => m.subject.includes('Key changed'));
      expect(mail!.text).toMatch(new RegExp(`^Audit head:\\s+${shown}$`, 'm'));
      expect(mail!.html).toContain(shown);
    } finally {
      email.close();
      await smtp.close();
    }
    expect(renderAlertBlocks(opened.message).text).toContain(`Audit head: ${shown}`);
    expect(JSON.stringify(renderAlertCard(opened.message))).toContain(shown);
    const inbox = await h.db.uow.run((store) => store.inbox.firstForRequest(requestId, s.cat.admin.id));
    expect(headOf(inbox!.message)).toBe(shown);

    const { message } = await h.engine.buildDigest(s.tenant.id);
    const digestHead = parseAuditHead(headOf(message)!);
    const last = (await entries()).at(-1)!;
    expect(digestHead).toEqual({ seq: last.seq, hashPrefix: last.hash.slice(0, 8) });
    expect(await h.engine.verifyAudit(digestHead)).toMatchObject({ ok: true });
  });

  it('fails verification under a different vault key, at the first keyed entry', async () => {
    const other = await LocalVault.open({ database: h.db.database, masterKey: randomBytes(32), keyDir: h.keyDir, now: () => h.clock.now() });
    const elsewhere = createEngine({ ...h.engine.deps, vault: other });
    expect(await elsewhere.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: 1, reason: expect.stringContaining('another vault key') });
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true });
  });
});
