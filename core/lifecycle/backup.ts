import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import { decryptRecord, recordAad } from '../crypto/envelope.js';
import type { EngineDeps } from '../engine-deps.js';
import { keyRefusal, keyStoreRefusal } from '../data-plane/key-inaccessible.js';
import { DomainError } from '../errors.js';
import { audited } from './audited.js';
import { loadInstance, requireActive } from './load-instance.js';

/** The backup file: records stay AES-256-GCM ciphertext and DEKs stay wrapped, so the file is encrypted by construction. */
interface BackupFile {
  format: 'dualkey-backup';
  version: 1;
  tenantId: string;
  instanceId: string;
  instance: string;
  createdAt: string;
  protectorFingerprint: string;
  keyring: Array<{ version: number; wrapped: string }>;
  records: Array<{ key: string; ciphertext: string; nonce: string; tag: string; dekVersion: number; updatedAt: string }>;
}

/** Exports an active instance's records and keyring (a locked instance has no backup: I2). */
export async function createBackup(deps: EngineDeps, tenantId: string, instanceName: string): Promise<Buffer> {
  return audited(deps, { action: 'backup_create', actor: 'operator', tenantId, instanceName }, () =>
    deps.uow.run(async (store) => {
      const ctx = await loadInstance(store, tenantId, instanceName);
      requireActive(ctx.instance);
      const [keyring, records] = await Promise.all([store.keyring.listByProtector(ctx.instance.id, ctx.protector.id), store.records.all(ctx.instance.id)]);
      const at = deps.clock.now();
      const file: BackupFile = {
        format: 'dualkey-backup', version: 1, tenantId, instanceId: ctx.instance.id, instance: instanceName, createdAt: at.toISOString(),
        protectorFingerprint: ctx.protector.fingerprint,
        keyring: keyring.map((k) => ({ version: k.version, wrapped: k.wrapped.toString('base64') })),
        records: records.map((r) => ({ key: r.key, ciphertext: r.ciphertext.toString('base64'), nonce: r.nonce.toString('base64'), tag: r.tag.toString('base64'), dekVersion: r.dekVersion, updatedAt: r.updatedAt.toISOString() })),
      };
      await appendAudit(store, {
        at, tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'backup_create', instanceName, requestId: null, result: 'ok', code: null,
        details: { records: records.length, fingerprint: ctx.protector.fingerprint },
      });
      return Buffer.from(JSON.stringify(file));
    }),
  );
}

function parseBackup(bytes: Buffer): BackupFile {
  let file: BackupFile;
  try {
    file = JSON.parse(bytes.toString('utf8')) as BackupFile;
  } catch {
    throw new DomainError('backup_malformed', 'This is not a dualkey backup file (not JSON). Use a file written by "dualkey backup create".');
  }
  if (file?.format !== 'dualkey-backup' || file.version !== 1 || !Array.isArray(file.records) || !Array.isArray(file.keyring)) {
    throw new DomainError('backup_malformed', 'This is not a dualkey backup file (format dualkey-backup, version 1). Use a file written by "dualkey backup create".');
  }
  return file;
}

/** Replaces an active instance's records with a backup of the same instance, after checking every record decrypts. */
export async function restoreBackup(deps: EngineDeps, tenantId: string, instanceName: string, bytes: Buffer): Promise<{ records: number }> {
  return audited(deps, { action: 'backup_restore', actor: 'operator', tenantId, instanceName }, async () => {
    const file = parseBackup(bytes);
    const ctx = await deps.uow.run(async (store) => {
      const c = await loadInstance(store, tenantId, instanceName);
      requireActive(c.instance);
      return { ...c, keyring: await store.keyring.listByProtector(c.instance.id, c.protector.id) };
    });
    if (file.instanceId !== ctx.instance.id || file.tenantId !== tenantId) {
      throw new DomainError('backup_mismatch', `This backup belongs to instance "${String(file.instance).slice(0, 64)}", not ${instanceName}; a backup restores only into the instance it was taken from.`);
    }
    if (!ctx.protector.vaultKeyId) throw new DomainError('instance_locked', `${instanceName} has no usable key.`);
    const deks = new Map<number, Buffer>();
    try {
      for (const row of ctx.keyring) deks.set(row.version, await deps.vault.unwrapDek(ctx.protector.vaultKeyId, row.wrapped));
    } catch (e) {
      for (const dek of deks.values()) dek.fill(0);
      // The records are checked with the instance's DEKs; a key its store refuses stops the restore before anything changes.
      const reason = keyStoreRefusal(e);
      throw reason === null ? e : await keyRefusal(deps, ctx.instance.id, instanceName, reason);
    }
    const records = file.records.map((r) => {
      const dek = deks.get(r.dekVersion);
      if (!dek) throw new DomainError('backup_key_unavailable', `The backup uses DEK version ${r.dekVersion}, which ${instanceName} no longer has.`);
      const sealed = { ciphertext: Buffer.from(r.ciphertext, 'base64'), nonce: Buffer.from(r.nonce, 'base64'), tag: Buffer.from(r.tag, 'base64') };
      try {
        decryptRecord(dek, recordAad(tenantId, ctx.instance.id, r.key, r.dekVersion), sealed).fill(0);
      } catch {
        throw new DomainError('backup_malformed', `Record "${String(r.key).slice(0, 100)}" in the backup does not authenticate; the file was damaged or altered.`);
      }
      return { key: r.key, ...sealed, dekVersion: r.dekVersion, updatedAt: new Date(r.updatedAt) };
    });
    for (const dek of deks.values()) dek.fill(0);
    await deps.uow.run(async (store) => {
      const c = await loadInstance(store, tenantId, instanceName, true);
      requireActive(c.instance);
      if (c.instance.generation !== ctx.instance.generation) throw new DomainError('operation_in_progress', `${instanceName} changed during the restore; try again.`);
      await store.records.replaceAll(c.instance.id, records);
      await store.instances.update(c.instance.id, c.instance.generation, {});
      await appendAudit(store, {
        at: deps.clock.now(), tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'backup_restore', instanceName, requestId: null, result: 'ok', code: null,
        details: { records: records.length, backupCreatedAt: String(file.createdAt) },
      });
    });
    return { records: records.length };
  });
}
