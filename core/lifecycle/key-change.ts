import { withApprovalsNeeded } from '../alerts/approval-message.js';
import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { keyChangeOpened } from '../alerts/alert-messages.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import { requireEntitled, requireInstanceAdmin } from '../access/authorize.js';
import { wrapDek } from '../crypto/envelope.js';
import type { EngineDeps } from '../engine-deps.js';
import { keyRefusal, keyStoreRefusal } from '../data-plane/key-inaccessible.js';
import { DomainError } from '../errors.js';
import { newId, newRequestId } from '../ids.js';
import { describePublicKey } from '../keyfiles/describe-public-key.js';
import { fingerprintSpki } from '../keyfiles/fingerprint.js';
import { generatePfx } from '../keyfiles/generate-pfx.js';
import type { Actor } from '../model/actor.js';
import type { Protector, ProtectorKind, WrappedDek } from '../model/protector.js';
import { bindSettings, type Request } from '../model/request.js';
import { audited } from './audited.js';
import { beginImport, compensateImport } from './journal-steps.js';
import { loadInstance, requireActive } from './load-instance.js';
import { importPrepared, prepareUpload, type KeyFileUpload, type PreparedUpload } from './uploaded-key.js';
import { requireKeyFree } from './require-key-free.js';
import { requireNoPending } from './require-no-pending.js';

/** Where the new protector comes from. */
export type KeyChangeSource =
  | { kind: 'generate'; password: string; keyName?: string | undefined }
  | { kind: 'upload'; upload: KeyFileUpload }
  | { kind: 'revert' };

/** The applied change: the review request, the new protector, and (generate only) the PFX to hand over once. */
export interface KeyChangeResult {
  request: Request;
  protector: Protector;
  pfx: Buffer | null;
}

/** Shortest password accepted for a generated PFX: it is the only thing guarding the key offline. */
export const MIN_PFX_PASSWORD_LENGTH = 12;

const OPERATION = { generate: 'new', upload: 'upload', revert: 'revert' } as const;

/**
 * key new / upload / revert (DESIGN §4): the vault imports the key, every DEK is re-wrapped (records are
 * never re-encrypted), the old protector becomes `previous`, and a key_change request opens for review.
 */
export async function changeKey(deps: EngineDeps, actor: Actor, instanceName: string, source: KeyChangeSource): Promise<KeyChangeResult> {
  const operation = OPERATION[source.kind];
  return audited(deps, { action: `key_${operation}`, actor, tenantId: actor.admin.tenantId, instanceName }, async () => {
    const before = await deps.uow.run(async (store) => {
      const ctx = await loadInstance(store, actor.admin.tenantId, instanceName);
      requireEntitled(ctx.tenant);
      requireInstanceAdmin(actor.admin, ctx.instance);
      requireActive(ctx.instance);
      await requireNoPending(store, ctx.instance);
      if (source.kind === 'revert' && ctx.instance.keyMode === 'service') {
        throw new DomainError('already_service_managed', `${instanceName} already uses a service-managed key; there is nothing to revert.`, { instance: instanceName });
      }
      return { ...ctx, dekRows: await store.keyring.listByProtector(ctx.instance.id, ctx.protector.id) };
    });
    const now = deps.clock.now();
    const protectorId = newId(deps.random);
    const vaultKeyId = `prot-${protectorId}`;
    const defaultName = source.kind === 'revert' ? `${instanceName} Service-managed Key` : `${instanceName} Encryption Key`;
    const keyName = (source.kind === 'generate' && source.keyName?.trim()) || defaultName;

    let kind: ProtectorKind = 'service';
    let pkcs8: Buffer | null = null;
    let fileSpki: Buffer | null = null;
    let pfx: Buffer | null = null;
    let prepared: PreparedUpload | null = null;
    if (source.kind === 'generate') {
      if (source.password.length < MIN_PFX_PASSWORD_LENGTH) {
        throw new DomainError('password_too_short', `The PFX password must be at least ${MIN_PFX_PASSWORD_LENGTH} characters; it is all that protects the key file. Choose a longer one.`);
      }
      const generated = generatePfx({ commonName: keyName, password: source.password, now, serialNumber: deps.random.bytes(16) });
      kind = 'generated';
      pkcs8 = generated.key.privateKeyPkcs8;
      fileSpki = generated.key.publicKeySpki;
      pfx = generated.pfx;
    } else if (source.kind === 'upload') {
      prepared = prepareUpload(before.tenant, source.upload);
      if (prepared.fingerprint === before.protector.fingerprint) {
        if (prepared.kind === 'pfx') prepared.key.privateKeyPkcs8.fill(0);
        throw alreadyCurrent(instanceName, prepared.fingerprint);
      }
      const known = prepared.fingerprint;
      if (known) {
        // Refuse before the vault sees the key; the commit below checks again (a BYOK key is known only then).
        await deps.uow.run((store) => requireKeyFree(store, actor.admin.tenantId, instanceName, known)).catch((e: unknown) => {
          if (prepared?.kind === 'pfx') prepared.key.privateKeyPkcs8.fill(0);
          throw e;
        });
      }
      kind = prepared.kind;
    }

    const journal = await beginImport(deps, 'key_change', before.instance.id, [vaultKeyId]);
    // Undoes the import now; if that fails too, recovery finishes it from the open journal entry.
    const undoImport = () => compensateImport(deps, journal).catch((err: unknown) => deps.logger.error('journal: compensation deferred to recovery', { journal: journal.id, error: String(err) }));
    await deps.steps.reached('key_change:journaled');
    let spki: Buffer;
    try {
      if (prepared) {
        // A BYOK key's fingerprint is known only once the key store has unwrapped it.
        const imported = await importPrepared(deps, vaultKeyId, prepared);
        if (imported.fingerprint === before.protector.fingerprint) throw alreadyCurrent(instanceName, imported.fingerprint);
        spki = imported.publicKeySpki;
      } else if (pkcs8 && fileSpki) {
        await deps.vault.importKey(vaultKeyId, pkcs8);
        spki = fileSpki;
      } else {
        spki = await deps.vault.generateKey(vaultKeyId);
        // A key store's own generation obeys the same rules as any key that enters (refused → compensated below).
        describePublicKey(spki);
      }
    } catch (e) {
      await undoImport();
      throw e;
    } finally {
      pkcs8?.fill(0);
    }
    await deps.steps.reached('key_change:imported');
    let rewrapped: WrappedDek[];
    try {
      rewrapped = await rewrapDeks(deps, before.dekRows, before.protector, protectorId, spki);
    } catch (e) {
      // Any other fault leaves the journal open for recovery to compensate, as a crash here would.
      const reason = keyStoreRefusal(e);
      if (reason === null) throw e;
      // The current key is refused (disabled, revoked, deleted): nothing can be re-wrapped, so undo the import now and say why.
      await undoImport();
      throw await keyRefusal(deps, before.instance.id, instanceName, reason);
    }
    await deps.steps.reached('key_change:rewrapped');

    const protector: Protector = { id: protectorId, instanceId: before.instance.id, kind, name: keyName, fingerprint: fingerprintSpki(spki), publicKey: spki, vaultKeyId, status: 'active', createdAt: now };
    let request: Request;
    try {
      request = await deps.uow.run(async (store) => {
        const ctx = await loadInstance(store, actor.admin.tenantId, instanceName, true);
        if (ctx.instance.generation !== before.instance.generation) {
          throw new DomainError('operation_in_progress', `${instanceName} changed while the key was being prepared. Check "status ${instanceName}" and try again.`, { instance: instanceName });
        }
        await requireNoPending(store, ctx.instance);
        await requireKeyFree(store, ctx.tenant.id, instanceName, protector.fingerprint);
        if (!(await store.journal.transition(journal.id, 'open', 'done', now))) {
          throw new DomainError('operation_in_progress', `The key change on ${instanceName} was interrupted and undone by recovery. Try again.`, { instance: instanceName });
        }
        const req: Request = {
          id: newRequestId(deps.random), tenantId: ctx.tenant.id, instanceId: ctx.instance.id, type: 'key_change', state: 'pending',
          requestedBy: actor.admin.id, requestedVia: actor.transport,
          payload: {
            operation, keyName, fingerprint: protector.fingerprint, keyKind: kind,
            previousKeyName: ctx.protector.name, previousFingerprint: ctx.protector.fingerprint,
            newProtectorId: protectorId, previousProtectorId: ctx.protector.id,
          },
          openedAt: now, deadline: new Date(now.getTime() + ctx.tenant.settings.reviewWindowHours * 3_600_000),
          decidedBy: null, decidedAt: null, decisionReason: null, settings: bindSettings(ctx.tenant.settings, 'key_change'),
        };
        await store.protectors.insert(protector);
        await store.protectors.update(ctx.protector.id, { status: 'previous' });
        await store.keyring.insert(rewrapped);
        await store.instances.update(ctx.instance.id, ctx.instance.generation, {
          protectorId, keyMode: kind === 'service' ? 'service' : 'customer', lastKeyChangeAt: now,
        });
        await store.requests.insert(req);
        await appendAudit(store, {
          at: now, tenantId: ctx.tenant.id, actor: auditActorOf(actor), transport: actor.transport, action: `key_${operation}`,
          instanceName, requestId: req.id, result: 'ok', code: null,
          details: { keyName, fingerprint: protector.fingerprint, kind, previousFingerprint: ctx.protector.fingerprint },
        });
        await fanOutAlert(store, deps, now, ctx.tenant.id, withApprovalsNeeded(req, keyChangeOpened(req, instanceName, actor.admin, req.settings!.unreviewedChangePolicy)));
        return req;
      });
    } catch (e) {
      await undoImport();
      throw e;
    }
    await deps.steps.reached('key_change:committed');
    deps.logger.info('key change applied', { instance: instanceName, request: request.id, fingerprint: protector.fingerprint });
    return { request, protector, pfx };
  });
}

function alreadyCurrent(instanceName: string, fingerprint: string): DomainError {
  return new DomainError('key_already_current', `${instanceName} is already protected by this key (${fingerprint}). Upload a different key.`, { fingerprint });
}

/** Unwraps every DEK version with the current protector (in the vault) and wraps it under the new public key. */
async function rewrapDeks(deps: EngineDeps, rows: WrappedDek[], current: Protector, protectorId: string, spki: Buffer): Promise<WrappedDek[]> {
  if (!current.vaultKeyId) throw new Error(`protector ${current.id} of an active instance has no vault key`);
  const out: WrappedDek[] = [];
  for (const row of rows) {
    const dek = await deps.vault.unwrapDek(current.vaultKeyId, row.wrapped);
    out.push({ instanceId: row.instanceId, version: row.version, protectorId, wrapped: wrapDek(dek, spki) });
    dek.fill(0);
  }
  return out;
}
