import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Passkey, WebAuthnChallenge } from '../../../core/model/passkey.js';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';
import { aTenant, anAdmin, hoursAfter, newId, T0 } from './fixtures/models.js';

const aPasskey = (tenantId: string, adminId: string, over: Partial<Passkey> = {}): Passkey => ({
  id: newId('pk'), tenantId, adminId, credentialId: randomBytes(16).toString('base64url'), publicKey: randomBytes(77), counter: 0,
  transports: ['internal', 'hybrid'], name: 'laptop', createdAt: T0, lastUsedAt: null, revokedAt: null, ...over,
});
const aChallenge = (tenantId: string, adminId: string, over: Partial<WebAuthnChallenge> = {}): WebAuthnChallenge => ({
  id: newId('ch'), tenantId, adminId, challenge: randomBytes(32).toString('base64url'), purpose: 'register', createdAt: T0, expiresAt: hoursAfter(0.1), usedAt: null, ...over,
});

describe(`passkey and WebAuthn challenge repositories (${testEngine})`, () => {
  let db: TestDatabase;
  let uow: UnitOfWork;
  const tenant = aTenant();
  const ann = anAdmin(tenant.id);
  const bob = anAdmin(tenant.id);
  beforeAll(async () => {
    db = await createTestDatabase();
    uow = db.uow;
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.admins.insert(ann);
      await s.admins.insert(bob);
    });
  });
  afterAll(() => db.dispose());

  it('stores a passkey (public key as bytea, transports as jsonb) and finds it by id and credential id', async () => {
    const p = aPasskey(tenant.id, ann.id, { counter: 2 ** 33 });
    await uow.run((s) => s.passkeys.insert(p));
    const back = await uow.run((s) => s.passkeys.byId(p.id));
    expect(back).toEqual(p);
    expect(Buffer.isBuffer(back?.publicKey)).toBe(true);
    expect(await uow.run((s) => s.passkeys.byCredentialId(p.credentialId))).toEqual(p);
    expect(await uow.run((s) => s.passkeys.byCredentialId('missing'))).toBeNull();
  });

  it('refuses a second row with the same credential id, in any tenant', async () => {
    const p = aPasskey(tenant.id, ann.id);
    await uow.run((s) => s.passkeys.insert(p));
    await expect(uow.run((s) => s.passkeys.insert(aPasskey('another-tenant', 'someone', { credentialId: p.credentialId })))).rejects.toThrow();
  });

  it('lists one admin\'s passkeys newest first, renames, touches and revokes exactly once', async () => {
    const older = aPasskey(tenant.id, bob.id, { name: 'old', createdAt: hoursAfter(1) });
    const newer = aPasskey(tenant.id, bob.id, { name: 'new', createdAt: hoursAfter(2) });
    await uow.run(async (s) => {
      await s.passkeys.insert(older);
      await s.passkeys.insert(newer);
    });
    expect((await uow.run((s) => s.passkeys.list(bob.id))).map((p) => p.name)).toEqual(['new', 'old']);
    await uow.run((s) => s.passkeys.rename(older.id, 'security key'));
    await uow.run((s) => s.passkeys.touch(older.id, 7, hoursAfter(3)));
    const [first, second] = await Promise.all([uow.run((s) => s.passkeys.revoke(older.id, hoursAfter(4))), uow.run((s) => s.passkeys.revoke(older.id, hoursAfter(5)))]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(await uow.run((s) => s.passkeys.byId(older.id))).toEqual({ ...older, name: 'security key', counter: 7, lastUsedAt: hoursAfter(3), revokedAt: expect.any(Date) });
    expect((await uow.run((s) => s.passkeys.byId(newer.id)))?.revokedAt).toBeNull();
    expect(await uow.run((s) => s.passkeys.revokeAllOf(bob.id, hoursAfter(6)))).toBe(1);
    expect((await uow.run((s) => s.passkeys.list(bob.id))).every((p) => p.revokedAt)).toBe(true);
  });

  it('uses a challenge once, even under concurrent uses', async () => {
    const c = aChallenge(tenant.id, ann.id, { purpose: 'decide:r-abc:approve:2030-01-02T03:04:05.678Z' });
    await uow.run((s) => s.webauthnChallenges.insert(c));
    expect(await uow.run((s) => s.webauthnChallenges.byChallenge(c.challenge))).toEqual(c);
    const uses = await Promise.all(Array.from({ length: 5 }, () => uow.run((s) => s.webauthnChallenges.use(c.id, hoursAfter(0.05)))));
    expect(uses.filter(Boolean)).toHaveLength(1);
    expect((await uow.run((s) => s.webauthnChallenges.byChallenge(c.challenge)))?.usedAt).toEqual(hoursAfter(0.05));
  });

  it('deletes only challenges that expired before the given time', async () => {
    const old = aChallenge(tenant.id, ann.id, { expiresAt: hoursAfter(1) });
    const live = aChallenge(tenant.id, ann.id, { expiresAt: hoursAfter(10) });
    await uow.run(async (s) => {
      await s.webauthnChallenges.insert(old);
      await s.webauthnChallenges.insert(live);
    });
    expect(await uow.run((s) => s.webauthnChallenges.deleteExpired(hoursAfter(5)))).toBeGreaterThanOrEqual(1);
    expect(await uow.run((s) => s.webauthnChallenges.byChallenge(old.challenge))).toBeNull();
    expect(await uow.run((s) => s.webauthnChallenges.byChallenge(live.challenge))).toEqual(live);
  });
});
