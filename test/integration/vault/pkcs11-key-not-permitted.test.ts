import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { findAll, findSlot } from '../../../vault/pkcs11-objects.js';
import { Pkcs11Vault } from '../../../vault/pkcs11-vault.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { createNssToken, pkcs11TokensAvailable, type TestToken } from '../../support/pkcs11-tokens.js';
import { engineIndependentSkip } from '../../support/test-engine.js';

/**
 * An HSM administrator withdraws the instance key's decrypt permission (CKA_DECRYPT false) in the token:
 * PKCS#11's counterpart of disabling a key in Azure Key Vault.
 */
describe.skipIf(!pkcs11TokensAvailable() || engineIndependentSkip)('when the PKCS#11 token no longer permits decryption with the instance key (NSS softokn)', () => {
  let token: TestToken;
  let api: pkcs11js.PKCS11;
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;
  let keyId: string;

  /** Sets CKA_DECRYPT on the private key object under `keyId`, as the token's administrator would. */
  function permitDecrypt(value: boolean): void {
    const session = api.C_OpenSession(findSlot(api, token.config.tokenLabel), pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      const handles = findAll(api, session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) }]);
      expect(handles).toHaveLength(1);
      api.C_SetAttributeValue(session, handles[0]!, [{ type: pkcs11js.CKA_DECRYPT, value }]);
    } finally {
      api.C_CloseSession(session);
    }
  }

  beforeAll(async () => {
    token = createNssToken();
    api = new pkcs11js.PKCS11();
    api.load(token.config.modulePath);
    api.C_Initialize({ libraryParameters: token.config.initArgs! });
    h = await createHarness({ vault: () => Pkcs11Vault.open(token.config, { api }) });
    s = await seedTenant(h);
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));
    const protectors = await h.vault.storedKeyIds('protector');
    expect(protectors).toHaveLength(1);
    keyId = protectors[0]!;
  }, 60_000);
  afterAll(async () => {
    await h?.dispose();
    api?.C_Finalize();
    token?.dispose();
  });

  it('refuses reads and writes with key_inaccessible naming the token\'s refusal, reports it in key-access health, and serves again once permitted', async () => {
    permitDecrypt(false);
    try {
      const engine = h.restart();
      const read = await refusal(() => engine.records.get(ref, 'invoice/1'));
      expect(read.code).toBe('key_inaccessible');
      expect(read.message).toContain(s.instance);
      expect(read.message).toContain('CKA_DECRYPT attribute is false');
      expect((await refusal(() => engine.records.put(ref, 'invoice/2', Buffer.from('200 EUR')))).code).toBe('key_inaccessible');
      expect((await h.engine.checkKeyAccess()).inaccessible).toEqual([{ tenantId: s.tenant.id, instance: s.instance, cause: expect.stringContaining('CKA_DECRYPT') }]);
    } finally {
      permitDecrypt(true);
    }
    const engine = h.restart();
    expect((await engine.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    expect((await h.engine.checkKeyAccess()).inaccessible).toEqual([]);
  });
});
