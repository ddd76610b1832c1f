import pkcs11js from 'pkcs11js';
import { VaultByokRejectedError, VaultKeyNotFoundError, VaultKeyUnusableError } from '../core/ports/vault.js';
import type { DestroyOutcome, KeyAccess, Vault } from '../core/ports/vault.js';
import { checkMechanisms, parseKwpMechanism } from './pkcs11-mechanisms.js';
import { acquireModule, type ModuleLease, type Pkcs11Api } from './pkcs11-module.js';
import { probeOaepSha256 } from './pkcs11-oaep-probe.js';
import { codeName, DECRYPT_NOT_PERMITTED, expectPurpose, expectSame, findAll, findSlot, publicOf, readPin, readUlong, restrictUse, type Found, type Purpose } from './pkcs11-objects.js';
import { rsaPartsOfPkcs8, rsaSpki } from './pkcs11-rsa-der.js';
import { Pkcs11SessionPool } from './pkcs11-session-pool.js';
import * as t from './pkcs11-templates.js';
import { Pkcs11UnsupportedError } from './pkcs11-unsupported-error.js';

/** The configuration of a PKCS#11 vault (DUALKEY_VAULT=pkcs11). */
export interface Pkcs11VaultConfig {
  /** PKCS11_MODULE: path of the token's PKCS#11 library. */
  modulePath: string;
  /** PKCS11_TOKEN_LABEL: the token's label (CK_TOKEN_INFO.label, trailing blanks ignored). */
  tokenLabel: string;
  /** PKCS11_PIN_FILE: a file holding the user PIN (one trailing newline ignored). */
  pinFile: string;
  /** PKCS11_INIT_ARGS: library parameters for C_Initialize (NSS softokn: `configdir='sql:<dir>' …`). */
  initArgs?: string | undefined;
  /** PKCS11_AES_KWP_MECHANISM: the code the module implements RFC 5649 key wrap with padding under. */
  kwpMechanism?: string | undefined;
  /** PKCS11_SESSIONS: how many sessions run operations at once. */
  sessions?: number | undefined;
}

/** What only tests pass: the pkcs11js object to call (a recording wrapper), and a token known to lack OAEP-SHA256. */
export interface Pkcs11VaultTestOptions {
  api?: Pkcs11Api;
  /** Open a token without RSA-OAEP-SHA256 anyway; unwrapDek then throws the start-up refusal. Never from configuration. */
  tolerateMissingOaepSha256?: boolean;
}


const PROTECTOR_BITS = 2048;
const KEK_BITS = 3072;
const AUDIT_KEY_LABEL = 'dualkey-audit-tag-v1';
/** What a failed BYOK unwrap looks like: anything about the data or the template, never a token fault. */
const BYOK_REFUSALS = new Set([
  pkcs11js.CKR_ENCRYPTED_DATA_INVALID, pkcs11js.CKR_ENCRYPTED_DATA_LEN_RANGE, pkcs11js.CKR_WRAPPED_KEY_INVALID,
  pkcs11js.CKR_WRAPPED_KEY_LEN_RANGE, pkcs11js.CKR_TEMPLATE_INCONSISTENT, pkcs11js.CKR_TEMPLATE_INCOMPLETE, pkcs11js.CKR_KEY_TYPE_INCONSISTENT,
  pkcs11js.CKR_DATA_INVALID, pkcs11js.CKR_DATA_LEN_RANGE, pkcs11js.CKR_ATTRIBUTE_VALUE_INVALID, pkcs11js.CKR_FUNCTION_FAILED,
  // SoftHSM2 2.6 answers a failed OAEP unwrap (wrong KEK) with CKR_GENERAL_ERROR.
  pkcs11js.CKR_GENERAL_ERROR,
  // NSS softokn answers an RSA ciphertext numerically larger than the KEK's modulus (a file made for
  // another, larger KEK) with CKR_ARGUMENTS_BAD; our mechanism and template are fixed, so it is the data.
  pkcs11js.CKR_ARGUMENTS_BAD,
]);

/**
 * Answers to an operation with a cached handle that mean the object changed in the token since it was found:
 * destroyed elsewhere, or its permission withdrawn (NSS softokn answers CKR_KEY_TYPE_INCONSISTENT where the
 * standard says CKR_KEY_FUNCTION_NOT_PERMITTED).
 */
const LOOK_AGAIN = new Set<number | undefined>([pkcs11js.CKR_KEY_HANDLE_INVALID, pkcs11js.CKR_OBJECT_HANDLE_INVALID, pkcs11js.CKR_KEY_FUNCTION_NOT_PERMITTED, pkcs11js.CKR_KEY_TYPE_INCONSISTENT]);

/**
 * A Vault in a PKCS#11 token: protectors, the tenant KEK and the audit key are token objects that are
 * sensitive and non-extractable; DEKs are unwrapped with RSA-OAEP-SHA256 by the token; BYOK files are
 * unwrapped inside it in two C_UnwrapKey steps; destroy is C_DestroyObject. Key ids are CKA_ID and CKA_LABEL.
 */
export class Pkcs11Vault implements Vault {
  private readonly found = new Map<string, Found>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private auditKey: Buffer | undefined;
  private oaepMissing: Pkcs11UnsupportedError | undefined;

  /** Opens the token, checks every mechanism the adapter needs, and refuses clearly naming one that is missing. */
  static async open(config: Pkcs11VaultConfig, test: Pkcs11VaultTestOptions = {}): Promise<Pkcs11Vault> {
    const kwp = parseKwpMechanism(config.kwpMechanism);
    const pin = readPin(config.pinFile);
    const lease: ModuleLease = test.api ? { api: test.api, release: () => undefined } : acquireModule(config.modulePath, config.initArgs);
    let pool: Pkcs11SessionPool | undefined;
    try {
      const slot = findSlot(lease.api, config.tokenLabel);
      checkMechanisms(lease.api, slot, kwp);
      pool = new Pkcs11SessionPool(lease.api, slot, pin, config.sessions ?? 4);
      const vault = new Pkcs11Vault(lease, slot, pool, kwp);
      try {
        await vault.pool.run((s) => probeOaepSha256(lease.api, s));
      } catch (e) {
        if (!(e instanceof Pkcs11UnsupportedError) || !test.tolerateMissingOaepSha256) throw e;
        vault.oaepMissing = e;
      }
      // Made at start, not on first use, so the processes of a deployment do not race to create two.
      await vault.audit();
      return vault;
    } catch (e) {
      pool?.close(); // the module may stay initialised for another vault in this process
      lease.release();
      throw e;
    }
  }

  private constructor(
    private readonly lease: ModuleLease,
    private readonly slot: Buffer,
    private readonly pool: Pkcs11SessionPool,
    private readonly kwp: number,
  ) {}

  private get api(): Pkcs11Api {
    return this.lease.api;
  }

  async importKey(keyId: string, pkcs8Der: Buffer): Promise<void> {
    const parts = rsaPartsOfPkcs8(pkcs8Der);
    if (!parts) throw new Error(`cannot import vault key ${keyId}: not an RSA PKCS#8 DER private key`);
    await this.once(keyId, async () => {
      const existing = await this.find(keyId);
      const spki = rsaSpki(parts.modulus, parts.publicExponent);
      if (existing) return expectSame(keyId, existing, 'protector', spki);
      await this.pool.run((s) => restrictUse(this.api, s, this.api.C_CreateObject(s, t.importedPrivateKey(keyId, parts)), 'protector'));
    });
  }

  generateKey(keyId: string): Promise<Buffer> {
    return this.generateOnce(keyId, 'protector', PROTECTOR_BITS);
  }

  createKek(keyId: string): Promise<Buffer> {
    return this.generateOnce(keyId, 'kek', KEK_BITS);
  }

  importByok(kekId: string, keyId: string, byokCiphertext: Buffer): Promise<Buffer> {
    return this.once(keyId, async () => {
      const kek = await this.require(kekId, 'kek');
      const existing = await this.find(keyId);
      if (byokCiphertext.length < kek.modulusBytes + 16) throw new VaultByokRejectedError(keyId, 'the ciphertext is too short for this key-exchange key');
      // A retry unwraps again into a session object only to check it is the same key.
      const spki = await this.pool.run((s) => this.unwrapByok(s, kekId, kek, keyId, byokCiphertext, !existing));
      if (existing) expectSame(keyId, existing, 'protector', spki);
      return spki;
    });
  }

  async unwrapDek(keyId: string, wrapped: Buffer): Promise<Buffer> {
    return this.withKey(keyId, 'protector', (s, key) => {
      if (this.oaepMissing) throw this.oaepMissing;
      if (!key.permitted) throw new VaultKeyUnusableError(keyId, DECRYPT_NOT_PERMITTED);
      this.api.C_DecryptInit(s, t.oaep(pkcs11js.CKM_SHA256, pkcs11js.CKG_MGF1_SHA256), key.handle);
      return this.api.C_Decrypt(s, wrapped, Buffer.alloc(key.modulusBytes));
    });
  }

  async publicKey(keyId: string): Promise<Buffer | null> {
    return (await this.find(keyId))?.spki ?? null;
  }

  async keyAccess(keyId: string): Promise<KeyAccess> {
    try {
      this.found.delete(keyId); // a live look at the token, not the cache
      const key = await this.find(keyId);
      if (!key) return { usable: false, cause: `key ${keyId} is not in the PKCS#11 token (destroyed, or another token is configured)`, refused: true };
      return key.permitted ? { usable: true } : { usable: false, cause: `key ${keyId}: ${DECRYPT_NOT_PERMITTED}`, refused: true };
    } catch (e) {
      return { usable: false, cause: `the PKCS#11 token does not answer (${codeName(e)})`, refused: false };
    }
  }

  async destroy(keyId: string): Promise<DestroyOutcome> {
    await this.once(keyId, () =>
      this.pool.run((s) => {
        this.found.delete(keyId);
        // Every object under the id: a retried import that raced may have left a twin.
        for (const handle of findAll(this.api, s, [{ type: pkcs11js.CKA_ID, value: Buffer.from(keyId) }])) this.api.C_DestroyObject(s, handle);
      }),
    );
    return { outcome: 'destroyed' };
  }

  async auditTag(data: Buffer): Promise<Buffer> {
    const key = await this.audit();
    return this.pool.run((s) => {
      this.api.C_SignInit(s, { mechanism: pkcs11js.CKM_SHA256_HMAC }, key);
      return Buffer.from(this.api.C_Sign(s, data, Buffer.alloc(32)));
    });
  }

  async ping(): Promise<boolean> {
    try {
      this.api.C_GetTokenInfo(this.slot);
      return true;
    } catch {
      return false;
    }
  }

  /** Ids of every key of a purpose in the token (tests check what a crash or a lock left behind). */
  storedKeyIds(purpose: Purpose = 'protector'): Promise<string[]> {
    return this.pool.run((s) => {
      const template = [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_DECRYPT, value: purpose === 'protector' }];
      return findAll(this.api, s, template).map((h) => this.api.C_GetAttributeValue(s, h, [{ type: pkcs11js.CKA_ID }])[0]!.value.toString());
    });
  }

  /** Closes this vault's sessions and lets go of the module (finalised when no other vault in the process uses it). */
  close(): void {
    this.pool.close();
    this.lease.release();
  }

  /** BYOK's two steps inside the token; returns the unwrapped key's public key. Nothing but handles comes back. */
  private unwrapByok(s: Buffer, kekId: string, kek: Found, keyId: string, blob: Buffer, intoToken: boolean): Buffer {
    const refuse = (step: string, e: unknown): never => {
      if (BYOK_REFUSALS.has((e as { code?: number }).code ?? -1)) throw new VaultByokRejectedError(keyId, `${step} (${codeName(e)})`);
      throw e;
    };
    let aes: Buffer;
    try {
      aes = this.api.C_UnwrapKey(s, t.oaep(pkcs11js.CKM_SHA_1, pkcs11js.CKG_MGF1_SHA1), kek.handle, blob.subarray(0, kek.modulusBytes), t.transportAesKey());
    } catch (e) {
      return refuse(`it does not unwrap with key-exchange key ${kekId}`, e);
    }
    try {
      const len = readUlong(this.api.C_GetAttributeValue(s, aes, [{ type: pkcs11js.CKA_VALUE_LEN }])[0]?.value);
      // SoftHSM2 2.6 leaves CKA_VALUE_LEN of an unwrapped key at 0: unknown there, checked where the token says.
      if (len !== 0 && len !== 32) throw new VaultByokRejectedError(keyId, 'the transport key is not an AES-256 key');
      let key: Buffer;
      try {
        key = this.api.C_UnwrapKey(s, { mechanism: this.kwp }, aes, blob.subarray(kek.modulusBytes), t.unwrappedPrivateKey(keyId, intoToken));
      } catch (e) {
        return refuse('the token could not unwrap it as an RSA private key with the transport key (corrupted, or not an RSA key: only RSA keys are accepted)', e);
      }
      try {
        if (intoToken) restrictUse(this.api, s, key, 'protector');
        return publicOf(this.api, s, key).spki;
      } catch (e) {
        if (intoToken) this.api.C_DestroyObject(s, key);
        throw e;
      } finally {
        if (!intoToken) this.api.C_DestroyObject(s, key);
      }
    } finally {
      this.api.C_DestroyObject(s, aes);
    }
  }

  private generateOnce(keyId: string, purpose: Purpose, bits: number): Promise<Buffer> {
    return this.once(keyId, async () => {
      const existing = await this.find(keyId);
      if (existing) return expectPurpose(keyId, existing, purpose).spki;
      await this.pool.run(async (s) => {
        const pair = await this.api.C_GenerateKeyPairAsync(s, { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN }, t.sessionPublicKey(bits), t.generatedPrivateKey(keyId, purpose));
        // Only the private key object is kept: its public attributes give the SPKI.
        this.api.C_DestroyObject(s, pair.publicKey);
        restrictUse(this.api, s, pair.privateKey, purpose);
      });
      return expectPurpose(keyId, await this.require(keyId, purpose), purpose).spki;
    });
  }

  /** One operation per key id at a time in this process, so concurrent retries of a step store one key. */
  private async once<T>(keyId: string, work: () => Promise<T>): Promise<T> {
    const before = this.inFlight.get(keyId) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.catch(() => undefined);
    this.inFlight.set(keyId, settled);
    void settled.then(() => this.inFlight.get(keyId) === settled && this.inFlight.delete(keyId));
    return run;
  }

  /** Runs a one-session operation with a key; a handle or permission gone stale (changed in the token) is looked up again once. */
  private async withKey<T>(keyId: string, purpose: Purpose, work: (s: Buffer, key: Found) => T): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const key = await this.require(keyId, purpose);
      try {
        return await this.pool.run((s) => work(s, key));
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (attempt > 0 || !LOOK_AGAIN.has(code)) throw e;
        this.found.delete(keyId);
      }
    }
  }

  private async require(keyId: string, purpose: Purpose): Promise<Found> {
    const key = await this.find(keyId);
    if (!key) throw new VaultKeyNotFoundError(keyId);
    return expectPurpose(keyId, key, purpose);
  }

  /** The private key object under `keyId` (cached handle, public key and purpose), or null. */
  private async find(keyId: string): Promise<Found | null> {
    const cached = this.found.get(keyId);
    if (cached) return cached;
    const found = await this.pool.run((s) => {
      const handles = findAll(this.api, s, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) }]);
      return handles[0] ? publicOf(this.api, s, handles[0]) : null;
    });
    // A key the token does not permit is looked up afresh next time: its administrator may permit it again.
    if (found?.permitted) this.found.set(keyId, found);
    return found;
  }

  /** The deployment's audit key: a generic secret in the token, generated once. */
  private async audit(): Promise<Buffer> {
    if (this.auditKey) return this.auditKey;
    const key = await this.pool.run(async (s) => {
      const template = [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_LABEL, value: AUDIT_KEY_LABEL }];
      return findAll(this.api, s, template)[0] ?? this.api.C_GenerateKey(s, { mechanism: pkcs11js.CKM_GENERIC_SECRET_KEY_GEN }, t.auditKey(AUDIT_KEY_LABEL));
    });
    this.auditKey = key;
    return key;
  }
}
