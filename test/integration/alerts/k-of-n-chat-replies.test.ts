import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeChatCommand } from '../../../bot/commands/execute-chat-command.js';
import { parseChatCommand } from '../../../bot/commands/parse-chat-command.js';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { renderAlertBlocks } from '../../../bot/slack/render-alert-blocks.js';
import { renderReplyBlocks } from '../../../bot/slack/render-reply-blocks.js';
import { outbox } from '../../../db/schema/index.js';
import { createHarness, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

describe('k-of-n approvals in chat', () => {
  let h: Harness;
  let s: Seeded;
  const run = (actor: Seeded['ann'], text: string) => executeChatCommand(h.engine, { admin: actor.admin, transport: 'slack' }, parseChatCommand(text), { publicUrl: 'https://dualkey.example.com', prefix: '/dualkey' });

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, nodeCronSchedule());
  });
  afterEach(() => h.dispose());

  it('answers a Slack approval short of the count with "1 of 2 approvals" and the approvers; a second one is refused; the copies show the count', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    const reply = await run(s.bob, `approve ${request.id}`);
    expect(reply).toMatchObject({ kind: 'ok', title: `${request.id}: your approval is recorded — 1 of 2 approvals` });
    expect(reply.lines[0]).toMatch(/^1 of 2 approvals: Bob <bob@example\.com> at /);
    expect(JSON.stringify(renderReplyBlocks(reply))).toContain('1 of 2 approvals');
    expect(await run(s.bob, `approve ${request.id}`)).toMatchObject({ kind: 'refusal', code: 'approval_already_recorded' });
    const pending = await run(s.cat, 'pending');
    expect(pending.fields).toContainEqual([request.id, expect.stringMatching(/, 1 of 2 approvals: Bob <bob@example\.com> at /)]);

    const update = (await h.db.database.transaction((tx) => tx.select().from(outbox))).find((r) => r.requestId === request.id && r.message.event === 'approval_recorded')!;
    const blocks = JSON.stringify(renderAlertBlocks(update.message));
    expect(blocks).toContain('1 of 2 approvals (Bob)');
    // Still open: the copy keeps its buttons for the other approvers.
    expect(blocks).toContain('"action_id":"approve"');

    expect(await run(s.cat, `approve ${request.id}`)).toMatchObject({ kind: 'ok', title: `${request.id} is now approved` });
  });
});
