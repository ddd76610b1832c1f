import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type KeyVaultKey } from '@azure/keyvault-keys';
import { VaultByokRejectedError, VaultKeyNotFoundError, VaultKeyUnusableError } from '../../core/ports/vault.js';
import type { DestroyOutcome, KeyAccess, Vault } from '../../core/ports/vault.js';
import { rsaJwkOfPkcs8, sameRsaKey, spkiOfJwk } from './azure-jwk.js';
import { keyVaultName } from './azure-key-name.js';
import { describeRestError, restStatus } from './azure-rest-error.js';

/** Where the deployment's audit-tag key lives (RSA, sign/verify only). */
export const AUDIT_KEY_NAME = 'dualkey-audit-tag';
const PROTECTOR_OPS = ['wrapKey', 'unwrapKey'];
const KEK_BITS = 3072;

/** What the Azure adapter needs. */
export interface AzureVaultOptions {
  vaultUrl: string;
  credential: TokenCredential;
  /** Protectors as RSA-HSM (Premium vault or Managed HSM); KEKs and BYOK keys are always HSM keys. */
  hsm: boolean;
  /** Extra trusted CA certificates (PEM) for the vault's TLS certificate (private endpoints; tests). */
  tlsCa?: string | undefined;
  /** For vaults reached under a name that is not *.vault.azure.net (private DNS; tests). */
  disableChallengeResourceVerification?: boolean | undefined;
  /** Delete poll interval (the SDK's default is 2 s). */
  pollIntervalMs?: number | undefined;
  /** Timeout of one HTTP attempt (default 10 s). */
  requestTimeoutMs?: number | undefined;
  now: () => Date;
}

/**
 * The Vault port on Azure Key Vault: private keys are created in or imported into the vault and never
 * leave it; DEKs are unwrapped there with RSA-OAEP-256; BYOK blobs go to the vault's own BYOK import;
 * destroy is delete + purge, or only delete (reported with its purge date) under purge protection.
 */
export class AzureVault implements Vault {
  private readonly keys: KeyClient;
  private readonly crypto = new Map<string, CryptographyClient>();
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly clientOptions;

  constructor(private readonly o: AzureVaultOptions) {
    this.clientOptions = {
      // Bounded retries with the SDK's exponential backoff; its throttling policy honours 429/503 Retry-After.
      retryOptions: { maxRetries: 4, retryDelayInMs: 200, maxRetryDelayInMs: 8_000 },
      disableChallengeResourceVerification: o.disableChallengeResourceVerification ?? false,
      ...(o.tlsCa ? { tlsOptions: { ca: o.tlsCa } } : {}),
    };
    this.keys = new KeyClient(o.vaultUrl, o.credential, this.clientOptions);
  }

  async importKey(keyId: string, pkcs8Der: Buffer): Promise<void> {
    const name = keyVaultName(keyId);
    const { jwk, zero } = rsaJwkOfPkcs8(pkcs8Der, PROTECTOR_OPS);
    try {
      const existing = await this.find(name);
      if (existing) {
        // A retried step: the same key is a no-op; a different one would orphan data wrapped under the first.
        if (!sameRsaKey(spkiOfJwk(jwk, name), existing.key, name)) throw new Error(`vault key ${keyId} already holds a different key; a key id is never reused`);
        return;
      }
      await this.keys.importKey(name, jwk, { hardwareProtected: this.o.hsm, ...this.op() }).catch((e: unknown) => {
        // The SDK's error carries the request, whose body is the private key: never let it travel up to a log.
        throw new Error(`Azure Key Vault did not import key ${keyId} (${describeRestError(e)})`);
      });
    } finally {
      zero();
    }
  }

  generateKey(keyId: string): Promise<Buffer> {
    return this.createOnce(keyVaultName(keyId), { hsm: this.o.hsm, keySize: 2048, keyOps: PROTECTOR_OPS });
  }

  createKek(keyId: string): Promise<Buffer> {
    // Azure's BYOK requires the KEK to be an RSA-HSM key whose only operation is import.
    return this.createOnce(keyVaultName(keyId), { hsm: true, keySize: KEK_BITS, keyOps: ['import'] });
  }

  async importByok(kekId: string, keyId: string, byokCiphertext: Buffer): Promise<Buffer> {
    const name = keyVaultName(keyId);
    const existing = await this.find(name);
    if (existing) return spkiOfJwk(existing.key, name);
    const kek = await this.find(keyVaultName(kekId));
    if (!kek?.id) throw new VaultKeyNotFoundError(kekId);
    // The .byok file as Azure's BYOK specification defines it, naming the KEK by its full key id; the
    // ciphertext is passed as received: the vault's HSM unwraps it, this process never sees the key.
    const byokFile = JSON.stringify({ schema_version: '1.0.0', header: { kid: kek.id, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: byokCiphertext.toString('base64url'), generator: 'dualkey' });
    try {
      const imported = await this.keys.importKey(name, { kty: 'RSA-HSM', keyOps: PROTECTOR_OPS, t: Buffer.from(byokFile) }, { hardwareProtected: true, ...this.op() });
      return spkiOfJwk(imported.key, name);
    } catch (e) {
      // 400: the vault's HSM could not unwrap the blob with that KEK, or what it holds is not a usable key.
      if (restStatus(e) === 400) throw new VaultByokRejectedError(keyId, `Azure Key Vault refused the BYOK import (${describeRestError(e)})`);
      throw new Error(`Azure Key Vault did not import BYOK key ${keyId} (${describeRestError(e)})`);
    }
  }

  async unwrapDek(keyId: string, wrapped: Buffer): Promise<Buffer> {
    const name = keyVaultName(keyId);
    try {
      const result = await this.cryptoClient(name).unwrapKey('RSA-OAEP-256', wrapped, this.op());
      return Buffer.from(result.result);
    } catch (e) {
      if (restStatus(e) === 404) {
        this.crypto.delete(name);
        throw new VaultKeyNotFoundError(keyId);
      }
      // 403: the key is there but may not be used (disabled, expired, or unwrapKey permission revoked).
      if (restStatus(e) === 403) throw new VaultKeyUnusableError(keyId, `Azure Key Vault refuses to use it (${describeRestError(e)}): it is disabled or expired, or dualkey's identity lost the unwrapKey permission`);
      throw e;
    }
  }

  async publicKey(keyId: string): Promise<Buffer | null> {
    const name = keyVaultName(keyId);
    const key = await this.find(name);
    return key ? spkiOfJwk(key.key, name) : null;
  }

  async keyAccess(keyId: string): Promise<KeyAccess> {
    // Every answer but silence is the store refusing the key: servers then drop its cached DEKs.
    const refused = (cause: string): KeyAccess => ({ usable: false, cause, refused: true });
    let key: KeyVaultKey | undefined;
    try {
      key = await this.find(keyVaultName(keyId));
    } catch (e) {
      if (restStatus(e) === 403) return refused(`Azure Key Vault refuses access to the key (${describeRestError(e)}): check that it is enabled and that dualkey's identity has the keys get and unwrapKey permissions`);
      return { usable: false, cause: `Azure Key Vault did not answer (${describeRestError(e)})`, refused: false };
    }
    if (!key) return refused('the key was deleted from Azure Key Vault (recover it from the vault\'s deleted keys if it is still there)');
    const p = key.properties;
    if (p.enabled === false) return refused('the key is disabled in Azure Key Vault (enable it again to restore access)');
    const now = this.o.now();
    if (p.expiresOn && p.expiresOn <= now) return refused(`the key expired in Azure Key Vault on ${p.expiresOn.toISOString()}`);
    if (p.notBefore && p.notBefore > now) return refused(`the key is not valid in Azure Key Vault before ${p.notBefore.toISOString()}`);
    if (key.keyOperations && !key.keyOperations.includes('unwrapKey')) return refused('the key no longer permits unwrapKey in Azure Key Vault');
    return { usable: true };
  }

  async destroy(keyId: string): Promise<DestroyOutcome> {
    const name = keyVaultName(keyId);
    this.crypto.delete(name);
    let deleted;
    try {
      const poller = await this.keys.beginDeleteKey(name, { intervalInMs: this.o.pollIntervalMs ?? 2_000, ...this.op() });
      deleted = await poller.pollUntilDone();
    } catch (e) {
      if (restStatus(e) !== 404) throw e;
      // Already deleted by an earlier attempt of this step (then purge it), or gone for good.
      try {
        deleted = await this.keys.getDeletedKey(name, this.op());
      } catch (e2) {
        if (restStatus(e2) === 404) return { outcome: 'destroyed' };
        throw e2;
      }
    }
    const level = deleted.properties.recoveryLevel ?? '';
    if (level.includes('Purgeable')) {
      try {
        await this.keys.purgeDeletedKey(name, this.op());
        return { outcome: 'destroyed' };
      } catch (e) {
        if (restStatus(e) === 404) return { outcome: 'destroyed' };
        // 403: purge is not permitted here after all (purge protection); report what was achieved.
        if (restStatus(e) !== 403) throw e;
      }
    }
    const days = deleted.properties.recoverableDays ?? 90;
    return { outcome: 'deleted', recoverableUntil: deleted.properties.scheduledPurgeDate ?? new Date(this.o.now().getTime() + days * 86_400_000) };
  }

  async auditTag(data: Buffer): Promise<Buffer> {
    await this.createOnce(AUDIT_KEY_NAME, { hsm: this.o.hsm, keySize: 2048, keyOps: ['sign', 'verify'] });
    // RSASSA-PKCS1-v1_5 is deterministic: the same data gives the same tag in every process.
    const digest = createHash('sha256').update(data).digest();
    const signed = await this.cryptoClient(AUDIT_KEY_NAME).sign('RS256', digest, this.op());
    return Buffer.from(signed.result);
  }

  async ping(): Promise<boolean> {
    try {
      // Any authenticated answer counts, "not found" included: only keys get is needed.
      await this.find(AUDIT_KEY_NAME);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the vault has purge protection: then a destroy only soft-deletes until the purge date. */
  async purgeProtected(): Promise<boolean> {
    await this.createOnce(AUDIT_KEY_NAME, { hsm: this.o.hsm, keySize: 2048, keyOps: ['sign', 'verify'] });
    const key = await this.find(AUDIT_KEY_NAME);
    return !(key?.properties.recoveryLevel ?? '').includes('Purgeable');
  }

  /** The current version of a key, or undefined when it does not exist (or is deleted). */
  private async find(name: string): Promise<KeyVaultKey | undefined> {
    try {
      return await this.keys.getKey(name, this.op());
    } catch (e) {
      if (restStatus(e) === 404) return undefined;
      throw e;
    }
  }

  /** Creates a key unless it exists; concurrent callers in this process share one creation. */
  private createOnce(name: string, spec: { hsm: boolean; keySize: number; keyOps: string[] }): Promise<Buffer> {
    const running = this.inflight.get(name);
    if (running) return running;
    const work = (async () => {
      const existing = await this.find(name);
      if (existing) return spkiOfJwk(existing.key, name);
      const created = await this.keys.createRsaKey(name, { ...spec, ...this.op() });
      return spkiOfJwk(created.key, name);
    })().finally(() => this.inflight.delete(name));
    this.inflight.set(name, work);
    return work;
  }

  /** One CryptographyClient per key: it fetches the key once, then each unwrap is a single request. */
  private cryptoClient(name: string): CryptographyClient {
    let client = this.crypto.get(name);
    if (!client) {
      client = new CryptographyClient(`${this.o.vaultUrl.replace(/\/$/, '')}/keys/${name}`, this.o.credential, this.clientOptions);
      this.crypto.set(name, client);
    }
    return client;
  }

  /**
   * Per-call options: each attempt times out (a per-request timeout, cheaper than an abort signal per
   * call); with at most 4 retries and backoff capped at 8 s, a whole operation is bounded too.
   */
  private op(): { requestOptions: { timeout: number } } {
    return { requestOptions: { timeout: this.o.requestTimeoutMs ?? 10_000 } };
  }
}
