import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11UnsupportedError } from '../../../vault/pkcs11-unsupported-error.js';
import { Pkcs11Vault } from '../../../vault/pkcs11-vault.js';
import { createNssToken, createSoftHsmToken, pkcs11TokensAvailable, type TestToken } from '../../support/pkcs11-tokens.js';

async function refusal(open: Promise<unknown>): Promise<Error> {
  const e = await open.then(
    (v) => {
      (v as Pkcs11Vault).close();
      throw new Error('expected the vault to refuse to open');
    },
    (err: unknown) => err as Error,
  );
  return e;
}

describe.skipIf(!pkcs11TokensAvailable())('PKCS#11 vault start-up checks', () => {
  let softhsm: TestToken;
  let nss: TestToken;

  beforeAll(() => {
    softhsm = createSoftHsmToken();
    nss = createNssToken();
  });
  afterAll(() => {
    softhsm?.dispose();
    nss?.dispose();
  });

  it('refuses SoftHSM2 at start, naming RSA-OAEP with SHA-256 that it cannot decrypt', async () => {
    const e = await refusal(Pkcs11Vault.open(softhsm.config));
    expect(e).toBeInstanceOf(Pkcs11UnsupportedError);
    expect((e as Pkcs11UnsupportedError).code).toBe('vault_mechanism_unsupported');
    expect((e as Pkcs11UnsupportedError).mechanism).toBe('CKM_RSA_PKCS_OAEP with SHA-256 and MGF1-SHA-256');
    expect(e.message).toMatch(/CKR_ARGUMENTS_BAD/);
  });

  it('refuses a key wrap mechanism the module does not list, naming it and the setting to change', async () => {
    const e = await refusal(Pkcs11Vault.open({ ...softhsm.config, kwpMechanism: undefined }));
    expect(e).toBeInstanceOf(Pkcs11UnsupportedError);
    expect((e as Pkcs11UnsupportedError).mechanism).toBe('CKM_AES_KEY_WRAP_KWP (0x210B)');
    expect(e.message).toMatch(/PKCS11_AES_KWP_MECHANISM/);
  });

  it('refuses a PKCS11_AES_KWP_MECHANISM that is not a mechanism', async () => {
    expect((await refusal(Pkcs11Vault.open({ ...nss.config, kwpMechanism: 'RFC5649' }))).message).toMatch(/PKCS11_AES_KWP_MECHANISM RFC5649 is not a mechanism/);
  });

  it('refuses a wrong PIN without repeating it', async () => {
    const pinFile = join(nss.dir, 'wrong-pin');
    writeFileSync(pinFile, 'not-the-pin-1234\n');
    const e = await refusal(Pkcs11Vault.open({ ...nss.config, pinFile }));
    expect(e.message).toMatch(/refused the PIN in PKCS11_PIN_FILE \(CKR_PIN_INCORRECT\)/);
    expect(e.message).not.toContain('not-the-pin-1234');
  });

  it('refuses a missing PIN file, an unknown token label and a module that does not load, saying what to set', async () => {
    expect((await refusal(Pkcs11Vault.open({ ...nss.config, pinFile: join(nss.dir, 'absent') }))).message).toMatch(/PKCS11_PIN_FILE .* cannot be read \(ENOENT\)/);
    expect((await refusal(Pkcs11Vault.open({ ...nss.config, tokenLabel: 'HSM of Bob' }))).message).toMatch(/no PKCS#11 token labelled "HSM of Bob" \(PKCS11_TOKEN_LABEL\); the module has .*"NSS Certificate DB"/);
    expect((await refusal(Pkcs11Vault.open({ ...nss.config, modulePath: join(nss.dir, 'nope.so') }))).message).toMatch(/PKCS11_MODULE .*nope\.so cannot be loaded/);
  });

  it('opens NSS softokn: every mechanism is there and OAEP-SHA256 round-trips', async () => {
    const vault = await Pkcs11Vault.open(nss.config);
    try {
      expect(await vault.ping()).toBe(true);
    } finally {
      vault.close();
    }
    expect(await vault.ping()).toBe(false); // closed: the last user finalised the module
  });
});
