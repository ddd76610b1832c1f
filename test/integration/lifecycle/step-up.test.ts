import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { simpleWebAuthnVerifier } from '../../../bot/web/console/webauthn-verifier.js';
import type { Decision } from '../../../core/lifecycle/decide-request.js';
import type { Actor } from '../../../core/model/actor.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { SoftAuthenticator } from '../../support/soft-authenticator.js';

const ORIGIN = 'http://localhost:8080';
const webauthn = simpleWebAuthnVerifier(() => ORIGIN);
const schedule = nodeCronSchedule();
const upload = () => ({ kind: 'upload' as const, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });

/** Step-up in the engine with the real @simplewebauthn adapter and a software authenticator: the policy, its settings, and every refusal. */
describe('passkey step-up for decisions', () => {
  let h: Harness;
  let s: Seeded;
  let bob: Actor;
  let bobKey: SoftAuthenticator;
  const web = (a: Actor): Actor => ({ admin: a.admin, transport: 'web' });

  async function registerFor(actor: Actor, auth: SoftAuthenticator) {
    const options = (await h.engine.beginPasskeyRegistration(webauthn, actor)) as { challenge: string; rp: { id: string } };
    return h.engine.finishPasskeyRegistration(webauthn, actor, auth.register(options), 'key');
  }
  async function assertion(actor: Actor, auth: SoftAuthenticator, requestId: string, decision: Decision) {
    const options = (await h.engine.beginStepUp(webauthn, actor, requestId, decision)) as { challenge: string; rpId: string };
    return auth.assert(options);
  }

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    bob = web(s.bob);
    bobKey = new SoftAuthenticator(ORIGIN);
    await registerFor(bob, bobKey);
    await h.engine.updateTenantSettings(s.tenant.id, { stepUp: ['approve_key_change', 'rollback'] }, schedule);
  });
  afterEach(() => h.dispose());

  it('refuses a covered decision without a passkey on every path, even with a forged proof on the actor', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    expect((await refusal(() => h.engine.decide(bob, request.id, 'approve'))).code).toBe('step_up_required');
    const forged: Actor = { ...bob, stepUp: { credentialId: bobKey.credentialId.toString('base64url') } };
    const r = await refusal(() => h.engine.decide(forged, request.id, 'rollback'));
    expect(r).toMatchObject({ code: 'step_up_required', details: { request: request.id, decision: 'rollback' } });
    expect((await h.engine.listRequests(s.tenant.id, false)).find((x) => x.id === request.id)?.state).toBe('pending');
    // Self-approval is still refused as such first: the policy never hides the two-person rule.
    expect((await refusal(() => h.engine.decide(s.ann, request.id, 'approve'))).code).toBe('self_approval');
  });

  it('approves with a user-verified assertion bound to the request and decision, and audits the credential', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    const decided = await h.engine.decideWithStepUp(webauthn, bob, request.id, 'approve', null, await assertion(bob, bobKey, request.id, 'approve'));
    expect(decided.state).toBe('approved');
    const entry = (await h.engine.listAudit({ tenantId: s.tenant.id }, 30)).find((e) => e.action === 'approve' && e.requestId === request.id && e.result === 'ok');
    expect(entry?.details).toMatchObject({ stepUp: true, stepUpCredential: bobKey.credentialId.toString('base64url') });
  });

  it('refuses an assertion for another decision, an expired one, another admin\'s passkey, no user verification and a revoked passkey', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    const forRollback = await assertion(bob, bobKey, request.id, 'rollback');
    expect((await refusal(() => h.engine.decideWithStepUp(webauthn, bob, request.id, 'approve', null, forRollback))).details).toMatchObject({ reason: 'other_purpose' });

    const late = await assertion(bob, bobKey, request.id, 'approve');
    h.clock.advanceHours(3 / 60);
    expect(await refusal(() => h.engine.decideWithStepUp(webauthn, bob, request.id, 'approve', null, late))).toMatchObject({ code: 'step_up_invalid', details: { reason: 'expired' } });

    // Cat asks for the challenge, but answers with Bob's authenticator: not her passkey.
    const cat = web(s.cat);
    await registerFor(cat, new SoftAuthenticator(ORIGIN));
    const borrowed = await assertion(cat, bobKey, request.id, 'approve');
    expect((await refusal(() => h.engine.decideWithStepUp(webauthn, cat, request.id, 'approve', null, borrowed))).details).toMatchObject({ reason: 'unknown_passkey' });

    const catKey = new SoftAuthenticator(ORIGIN);
    await registerFor(cat, catKey);
    catKey.userVerified = false;
    const unverified = await assertion(cat, catKey, request.id, 'approve');
    expect((await refusal(() => h.engine.decideWithStepUp(webauthn, cat, request.id, 'approve', null, unverified))).details).toMatchObject({ reason: 'not_verified' });
    expect((await refusal(() => registerFor(bob, new SoftAuthenticator(ORIGIN, false)))).code).toBe('passkey_registration_failed');

    // An assertion made before its passkey was revoked no longer counts, and no new challenge is offered.
    const beforeRevoke = await assertion(bob, bobKey, request.id, 'approve');
    const [bobsPasskey] = await h.engine.listPasskeys(s.bob.admin.id);
    await h.engine.revokePasskey(bob, bobsPasskey!.id);
    expect((await refusal(() => h.engine.decideWithStepUp(webauthn, bob, request.id, 'approve', null, beforeRevoke))).details).toMatchObject({ reason: 'unknown_passkey' });
    expect((await refusal(() => h.engine.beginStepUp(webauthn, bob, request.id, 'approve'))).details).toMatchObject({ reason: 'no_passkey' });
    expect((await h.engine.listRequests(s.tenant.id, false)).find((x) => x.id === request.id)?.state).toBe('pending');
  });

  it('alerts every admin when a step-up is answered with a passkey that is not the approver\'s own, but not when an assertion merely expired', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    const refusedAlerts = async () => (await h.engine.deps.uow.run((store) => store.inbox.list(s.ann.admin.id, 100, 0))).entries.filter((e) => e.message.event === 'attempt_refused');
    const before = (await refusedAlerts()).length;

    const late = await assertion(bob, bobKey, request.id, 'approve');
    h.clock.advanceHours(3 / 60);
    expect((await refusal(() => h.engine.decideWithStepUp(webauthn, bob, request.id, 'approve', null, late))).details).toMatchObject({ reason: 'expired' });
    expect(await refusedAlerts()).toHaveLength(before);

    // Cat answers her own challenge with Bob's authenticator: an attempt to decide on someone else's second factor.
    const cat = web(s.cat);
    await registerFor(cat, new SoftAuthenticator(ORIGIN));
    const borrowed = await assertion(cat, bobKey, request.id, 'approve');
    expect((await refusal(() => h.engine.decideWithStepUp(webauthn, cat, request.id, 'approve', null, borrowed))).details).toMatchObject({ reason: 'unknown_passkey' });
    const alerts = await refusedAlerts();
    expect(alerts).toHaveLength(before + 1);
    expect(alerts.at(-1)!.message.title).toContain('(step_up_invalid)');
    expect(alerts.at(-1)!.message.title).toContain('cat@example.com');
  });

  it('turning step-up off, or covering fewer decisions, is a settings change another global admin must approve', async () => {
    const asked = await h.engine.requestSettingsChange(s.ann, { stepUp: ['rollback'] }, schedule);
    expect(asked.request?.payload.summary).toBe('passkey step-up approve_key_change,rollback → rollback');
    expect((await h.engine.resolveTenant(s.tenant.name)).settings.stepUp).toEqual(['approve_key_change', 'rollback']);
    expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { stepUp: [] }, schedule))).code).toBe('settings_change_needs_approval');
    await h.engine.decide(s.bob, asked.request!.id, 'approve');
    expect((await h.engine.resolveTenant(s.tenant.name)).settings.stepUp).toEqual(['rollback']);
  });

  it('removing an admin revokes their passkeys with the commit that removes them', async () => {
    const cat = web(s.cat);
    await registerFor(cat, new SoftAuthenticator(ORIGIN));
    const removal = await h.engine.requestAdminChange(s.ann, { operation: 'admin_remove', email: 'cat@example.com' });
    await h.engine.decide(s.bob, removal.id, 'approve');
    const left = await h.engine.listPasskeys(s.cat.admin.id);
    expect(left).toHaveLength(1);
    expect(left.every((p) => p.revokedAt)).toBe(true);
  });
});
