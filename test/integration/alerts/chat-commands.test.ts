import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeChatCommand } from '../../../bot/commands/execute-chat-command.js';
import { parseChatCommand } from '../../../bot/commands/parse-chat-command.js';
import { createHarness, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

describe('the shared chat command layer', () => {
  let h: Harness;
  let s: Seeded;
  const run = (actor: Seeded['ann'], text: string) => executeChatCommand(h.engine, { ...actor, transport: 'slack' }, parseChatCommand(text), { publicUrl: 'https://dualkey.example.com', prefix: '/dualkey' });

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('answers help and unknown input with the usage of every command', async () => {
    expect((await run(s.ann, 'help')).lines).toContain('/dualkey approve <request> [reason]');
    const unknown = await run(s.ann, 'frobnicate');
    expect(unknown).toMatchObject({ kind: 'usage' });
    expect(unknown.lines).toContain('/dualkey key upload <instance>');
  });

  it('sends secrets to a one-time page instead of chat, refusing up front what the page would refuse', async () => {
    const reply = await run(s.ann, 'key upload crm-prod');
    expect(reply.link?.url).toMatch(/^https:\/\/dualkey\.example\.com\/pages\/[A-Za-z0-9_-]{43}$/);
    const token = reply.link!.url.split('/').pop()!;
    const opened = await h.engine.openPageLink(token);
    expect(opened).toMatchObject({ admin: { email: 'ann@example.com' }, page: { operation: 'key_upload', instanceName: 'crm-prod', transport: 'slack' } });
    expect(await run(s.ann, 'lock crm-prod')).toMatchObject({ kind: 'refusal', code: 'customer_key_required' });
    expect(await run(s.ann, 'unlock crm-prod')).toMatchObject({ kind: 'refusal', code: 'instance_not_active' });
  });

  it('expires page links after 10 minutes and accepts each link once', async () => {
    const token = (await run(s.ann, 'key new crm-prod')).link!.url.split('/').pop()!;
    const { page } = await h.engine.openPageLink(token);
    h.clock.advanceMs(10 * 60_000);
    await expect(h.engine.openPageLink(token)).rejects.toMatchObject({ code: 'page_link_expired' });
    expect(await h.engine.usePageLink(page)).toBe(true);
    expect(await h.engine.usePageLink(page)).toBe(false);
    await expect(h.engine.openPageLink('x'.repeat(43))).rejects.toMatchObject({ code: 'page_link_invalid' });
  });

  it('decides requests and refuses self-approval with its code', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    expect((await run(s.ann, 'pending')).fields.map(([id]) => id)).toEqual([r.request.id]);
    expect(await run(s.ann, `approve ${r.request.id}`)).toMatchObject({ kind: 'refusal', code: 'self_approval' });
    expect(await run(s.bob, `approve ${r.request.id} checked with Ann`)).toMatchObject({ kind: 'ok', title: `${r.request.id} is now approved` });
    expect((await run(s.bob, 'audit crm-prod')).lines.some((l) => l.includes('approve crm-prod') && l.includes('[slack]'))).toBe(true);
  });

  it('shows status, admins, whoami and the key-exchange key', async () => {
    expect((await run(s.cat, 'status crm-prod')).fields[0]![1]).toContain('service-managed key');
    expect((await run(s.cat, 'admins')).fields.map(([e]) => e)).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com']);
    expect((await run(s.cat, 'whoami')).title).toBe('You are Cat <cat@example.com>');
    expect((await run(s.ann, 'key kek')).code_block).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });
});
