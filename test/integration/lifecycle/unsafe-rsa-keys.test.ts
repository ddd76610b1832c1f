import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture, makeByok } from '../../support/key-fixtures.js';
import { forgePfx, generateRsaNumbers, pkcs8Of, smooth8192Numbers, withExponent } from '../../support/unsafe-rsa-keys.js';

// Issue 8 item 4: an unsafe RSA key is refused wherever it enters (PFX upload, BYOK upload, lock, unlock),
// the instance stays on its old key, and no copy of the refused key stays in the key store.
const PASSWORD = 'unsafe keys password';

describe('unsafe RSA keys', () => {
  const unsafe: Record<string, Buffer> = {};
  beforeAll(() => {
    // Built once per file (CPU is scarce): the 8192-bit key is a cheap working one made of small primes.
    const base = generateRsaNumbers();
    const other = generateRsaNumbers();
    unsafe['e = 1'] = pkcs8Of(withExponent(base, 1n));
    unsafe['e = 3'] = pkcs8Of(generateRsaNumbers(2048, 3));
    unsafe['even e'] = pkcs8Of(withExponent(base, 65538n));
    unsafe['e ≥ 2^256'] = pkcs8Of(withExponent(base, (1n << 256n) + 1n));
    unsafe['n ≠ p·q'] = pkcs8Of({ ...base, p: other.p, q: other.q, dp: other.dp, dq: other.dq, qi: other.qi });
    unsafe['8192-bit modulus'] = pkcs8Of(smooth8192Numbers());
  });

  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  const current = async () => {
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    return { state: status!.state, keyMode: status!.keyMode, fingerprint: status!.protector.fingerprint, pending: status!.pendingRequest };
  };
  const names = ['e = 1', 'e = 3', 'even e', 'e ≥ 2^256', 'n ≠ p·q', '8192-bit modulus'];

  it.each(names)('refuses the PFX upload of a key with %s with key_type_unsupported and changes nothing', async (name) => {
    const before = await current();
    const keysBefore = (await h.vault.storedKeyIds()).sort();
    const r = await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: forgePfx(unsafe[name]!, PASSWORD), password: PASSWORD } }));
    expect(r.code).toBe('key_type_unsupported');
    expect(typeof r.details.rule).toBe('string');
    expect(await current()).toEqual(before);
    expect((await h.vault.storedKeyIds()).sort()).toEqual(keysBefore);
  });

  it.each(names)('refuses the BYOK upload of a key with %s with key_type_unsupported; the key store keeps no copy', async (name) => {
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const before = await current();
    const keysBefore = (await h.vault.storedKeyIds()).sort();
    const r = await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: makeByok(kek.publicKeyPem, kek.kekId, unsafe[name]!) } }));
    expect(r.code).toBe('key_type_unsupported');
    expect(await current()).toEqual(before);
    // The imported key was destroyed (or never kept): the vault holds exactly the keys it held before.
    expect((await h.vault.storedKeyIds()).sort()).toEqual(keysBefore);
  });

  it('refuses a lock presented with an e = 1 key file, and an unlock with an e = 1 BYOK file, leaving no key behind', async () => {
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const good = { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD };
    const up = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: good });
    await h.engine.decide(s.bob, up.request.id, 'approve');
    h.clock.advanceHours(72);
    const keysBefore = (await h.vault.storedKeyIds()).sort();
    const weakPfx = { file: forgePfx(unsafe['e = 1']!, PASSWORD), password: PASSWORD };
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: weakPfx }))).code).toBe('key_type_unsupported');
    const weakByok = { file: makeByok(kek.publicKeyPem, kek.kekId, unsafe['e = 1']!) };
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: weakByok }))).code).toBe('key_type_unsupported');
    expect((await h.vault.storedKeyIds()).sort()).toEqual(keysBefore);
    expect((await current()).pending).toBeNull();

    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: good });
    await h.engine.decide(s.bob, lock.id, 'approve');
    const locked = await current();
    expect(locked.state).toBe('locked');
    const lockedKeys = (await h.vault.storedKeyIds()).sort();
    expect((await refusal(() => h.engine.unlock(s.ann, s.instance, weakByok))).code).toBe('key_type_unsupported');
    expect((await refusal(() => h.engine.unlock(s.ann, s.instance, weakPfx))).code).toBe('key_type_unsupported');
    expect(await current()).toEqual(locked);
    expect((await h.vault.storedKeyIds()).sort()).toEqual(lockedKeys);
  });
});
