import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderEmailHtml, renderEmailText } from '../../../bot/channels/render-email.js';
import { renderAlertBlocks } from '../../../bot/slack/render-alert-blocks.js';
import { renderAlertCard } from '../../../bot/teams/alert-card.js';
import type { Actor } from '../../../core/model/actor.js';
import type { Identity } from '../../../core/model/admin.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';
import type { Tenant } from '../../../core/model/tenant.js';
import { outbox } from '../../../db/schema/index.js';
import { asCli, createHarness, refusal, type Harness } from '../../support/engine-harness.js';

// Issue 8 item 7: a second identity cannot slip in through a roster change.
const ANN_SLACK: Identity = { platform: 'slack', workspace: 'T0ACME', userId: 'UANN' };
const SECOND_TEAMS: Identity = { platform: 'teams', workspace: '0f1e2d3c-tenant', userId: 'aad-second-account' };

describe('chat identities in roster changes', () => {
  let h: Harness;
  let tenant: Tenant;
  let ann: Actor;
  let bob: Actor;
  beforeEach(async () => {
    h = await createHarness();
    tenant = await h.engine.createTenant('acme', { selfManagedKeys: true });
    ann = asCli(await h.engine.addAdmin(tenant.id, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [ANN_SLACK] }));
    bob = asCli(await h.engine.addAdmin(tenant.id, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] }));
    h.clock.advanceHours(1 / 60);
  });
  afterEach(() => h.dispose());

  const alertsOf = async (requestId: string): Promise<AlertMessage[]> => {
    const rows = await h.db.database.transaction((tx) => tx.select().from(outbox));
    return rows.filter((r) => r.message.requestId === requestId).map((r) => r.message);
  };
  /** Every rendering an admin may see: Slack blocks, the Teams card, the e-mail text and HTML. */
  const renderings = (m: AlertMessage): string[] => [
    JSON.stringify(renderAlertBlocks(m).blocks), JSON.stringify(renderAlertCard(m)),
    renderEmailText(m, { recipientEmail: 'bob@example.com' }), renderEmailHtml(m, { recipientEmail: 'bob@example.com' }),
  ];

  it('shows every identity an added admin would get in the admin_change alert, its Slack and Teams cards and its e-mail', async () => {
    const r = await h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'carol@example.com', name: 'Carol', role: 'global_admin', instances: [], identities: [SECOND_TEAMS] });
    const alerts = await alertsOf(r.id);
    expect(alerts.length).toBeGreaterThan(0);
    for (const m of alerts) {
      expect(m.facts).toContainEqual(['Identities linked', 'Teams 0f1e2d3c-tenant/aad-second-account']);
      for (const text of renderings(m)) expect(text).toContain('0f1e2d3c-tenant/aad-second-account');
    }
    // The decision that updates every copy says it too.
    await h.engine.decide(bob, r.id, 'approve');
    const decided = (await alertsOf(r.id)).filter((m) => m.event === 'request_decided');
    expect(decided.length).toBeGreaterThan(0);
    for (const m of decided) expect(renderAlertBlocks(m).text).toContain('aad-second-account');
  });

  it('refuses an identity already linked to an admin of the tenant with identity_in_use, on request and again on approval', async () => {
    const r = await refusal(() => h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'carol@example.com', name: 'Carol', role: 'service_admin', instances: [], identities: [ANN_SLACK] }));
    expect(r.code).toBe('identity_in_use');
    expect(r.message).toContain('ann@example.com');
    expect((await refusal(() => h.engine.requestAdminChange(ann, { operation: 'identity_link', email: 'bob@example.com', identities: [ANN_SLACK] }))).code).toBe('identity_in_use');
    // Two requests racing for one identity: the second approval re-checks and is refused.
    const first = await h.engine.requestAdminChange(ann, { operation: 'identity_link', email: 'bob@example.com', identities: [SECOND_TEAMS] });
    const second = await h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'carol@example.com', name: 'Carol', role: 'service_admin', instances: [], identities: [SECOND_TEAMS] });
    await h.engine.decide(bob, first.id, 'approve');
    expect((await refusal(() => h.engine.decide(bob, second.id, 'approve'))).code).toBe('identity_in_use');
  });

  it('refuses an identity linked in another tenant with identity_in_use naming nobody there', async () => {
    const other = await h.engine.createTenant('globex', { selfManagedKeys: true });
    const r = await refusal(() => h.engine.addAdmin(other.id, { email: 'dan@globex.example', name: 'Dan', role: 'global_admin', instances: [], identities: [ANN_SLACK] }));
    expect(r.code).toBe('identity_in_use');
    expect(r.message).not.toContain('ann@example.com');
    expect(JSON.stringify(r.details)).not.toContain('ann@example.com');
  });

  it('makes linking an identity to an existing admin a roster request a second global admin approves, alerted with the identity', async () => {
    // The operator's direct path is closed once the tenant has two global admins.
    expect((await refusal(() => h.engine.linkIdentity(tenant.id, 'ann@example.com', [SECOND_TEAMS]))).code).toBe('roster_change_needs_approval');
    const r = await h.engine.requestAdminChange(ann, { operation: 'identity_link', email: 'ann@example.com', identities: [SECOND_TEAMS] });
    expect(r).toMatchObject({ type: 'admin_change', state: 'pending' });
    for (const m of await alertsOf(r.id)) {
      expect(m.title).toContain('link Teams 0f1e2d3c-tenant/aad-second-account to ann@example.com');
      expect(m.facts).toContainEqual(['Identities linked', 'Teams 0f1e2d3c-tenant/aad-second-account']);
    }
    expect(await h.engine.adminByIdentity('teams', SECOND_TEAMS.workspace, SECOND_TEAMS.userId)).toBeNull();
    expect((await refusal(() => h.engine.decide(ann, r.id, 'approve'))).code).toBe('self_approval');
    await h.engine.decide(bob, r.id, 'approve');
    expect((await h.engine.adminByIdentity('teams', SECOND_TEAMS.workspace, SECOND_TEAMS.userId))?.email).toBe('ann@example.com');
    const audit = await h.engine.listAudit({ tenantId: tenant.id });
    expect(audit.find((e) => e.action === 'identity_link_request')?.details.identities).toBe('teams:0f1e2d3c-tenant/aad-second-account');
  });

  it('unlinks an identity through an approved request, and shows the identities a removal unlinks', async () => {
    const un = await h.engine.requestAdminChange(bob, { operation: 'identity_unlink', email: 'ann@example.com', identities: [ANN_SLACK] });
    for (const m of await alertsOf(un.id)) expect(m.facts).toContainEqual(['Identities unlinked', 'Slack T0ACME/UANN']);
    expect((await refusal(() => h.engine.requestAdminChange(bob, { operation: 'identity_unlink', email: 'bob@example.com', identities: [ANN_SLACK] }))).code).toBe('identity_not_linked');
    await h.engine.decide(ann, un.id, 'approve');
    expect(await h.engine.adminByIdentity('slack', 'T0ACME', 'UANN')).toBeNull();

    const carol = await h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'carol@example.com', name: 'Carol', role: 'global_admin', instances: [], identities: [SECOND_TEAMS] });
    await h.engine.decide(bob, carol.id, 'approve');
    h.clock.advanceHours(1 / 60);
    const rm = await h.engine.requestAdminChange(ann, { operation: 'admin_remove', email: 'carol@example.com' });
    for (const m of await alertsOf(rm.id)) {
      expect(m.facts).toContainEqual(['Identities unlinked', 'Teams 0f1e2d3c-tenant/aad-second-account']);
      for (const text of renderings(m)) expect(text).toContain('aad-second-account');
    }
  });

  it('lets the operator link an identity directly only while the tenant has fewer than two global admins', async () => {
    const solo = await h.engine.createTenant('solo', { selfManagedKeys: true });
    await h.engine.addAdmin(solo.id, { email: 'sam@solo.example', name: 'Sam', role: 'global_admin', instances: [], identities: [] });
    const linked = await h.engine.linkIdentity(solo.id, 'sam@solo.example', [{ platform: 'slack', workspace: 'T0SOLO', userId: 'USAM' }]);
    expect(linked.identities).toEqual([{ platform: 'slack', workspace: 'T0SOLO', userId: 'USAM' }]);
    expect((await refusal(() => h.engine.linkIdentity(solo.id, 'sam@solo.example', [ANN_SLACK]))).code).toBe('identity_in_use');
  });

  it('refuses look-alike names and addresses in a roster request with invalid_input', async () => {
    const add = (email: string, name: string) => refusal(() => h.engine.requestAdminChange(ann, { operation: 'admin_add', email, name, role: 'service_admin', instances: [], identities: [] }));
    expect((await add('carol@example.com', '\u0410nn')).code).toBe('invalid_input'); // Cyrillic А
    expect((await add('carol@example.com', 'Ca\u200brol')).code).toBe('invalid_input');
    expect((await add('\u0430nn@example.com', 'Ann')).code).toBe('invalid_input');
    expect((await add('ann@example.com\u202e', 'Ann')).code).toBe('invalid_input');
    // Full-width letters normalise to the admin who exists.
    expect((await add('ＡＮＮ@example.com', 'Ann')).code).toBe('admin_exists');
  });
});
