import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { simpleWebAuthnVerifier } from '../../../bot/web/console/webauthn-verifier.js';
import type { Actor } from '../../../core/model/actor.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { SoftAuthenticator } from '../../support/soft-authenticator.js';

const ORIGIN = 'http://localhost:8080';
const webauthn = simpleWebAuthnVerifier(() => ORIGIN);

/** k-of-n with passkey step-up: every approver, not only the last, confirms with their own passkey. */
describe('k-of-n approvals under step-up', () => {
  let h: Harness;
  let s: Seeded;
  const web = (a: Actor): Actor => ({ admin: a.admin, transport: 'web' });

  async function withKey(actor: Actor): Promise<SoftAuthenticator> {
    const auth = new SoftAuthenticator(ORIGIN);
    const options = (await h.engine.beginPasskeyRegistration(webauthn, actor)) as { challenge: string; rp: { id: string } };
    await h.engine.finishPasskeyRegistration(webauthn, actor, auth.register(options), 'key');
    return auth;
  }

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    await h.engine.updateTenantSettings(s.tenant.id, { stepUp: ['approve_key_change'], approvalsKeyChange: 2 }, nodeCronSchedule());
  });
  afterEach(() => h.dispose());

  it('records Bob\'s approval only with his passkey, audits it, and asks Cat for hers before deciding', async () => {
    const [bob, cat] = [web(s.bob), web(s.cat)];
    const [bobKey, catKey] = [await withKey(bob), await withKey(cat)];
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    expect((await refusal(() => h.engine.decide(bob, request.id, 'approve'))).code).toBe('step_up_required');
    const assert = async (actor: Actor, key: SoftAuthenticator) => key.assert((await h.engine.beginStepUp(webauthn, actor, request.id, 'approve')) as { challenge: string; rpId: string });
    const first = await h.engine.decideWithStepUp(webauthn, bob, request.id, 'approve', null, await assert(bob, bobKey));
    expect(first).toMatchObject({ state: 'pending', progress: { required: 2, approvers: [{ name: 'Bob' }] } });
    const recorded = (await h.engine.listAudit({ tenantId: s.tenant.id }, 30)).find((e) => e.requestId === request.id && e.details.outcome === 'approval_recorded');
    expect(recorded?.details).toMatchObject({ stepUp: true, stepUpCredential: bobKey.credentialId.toString('base64url'), approvals: 1, required: 2 });
    // Bob's passkey counted for Bob; Cat's chat click still cannot decide.
    expect((await refusal(() => h.engine.decide(cat, request.id, 'approve'))).code).toBe('step_up_required');
    expect((await h.engine.decideWithStepUp(webauthn, cat, request.id, 'approve', null, await assert(cat, catKey))).state).toBe('approved');
  });
});
