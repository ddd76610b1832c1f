import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { instanceUnlocked } from '../alerts/alert-messages.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import { requireEntitled, requireInstanceAdmin } from '../access/authorize.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Instance } from '../model/instance.js';
import { newId } from '../ids.js';
import { VaultKeyNotFoundError } from '../ports/vault.js';
import { queueHookEvent } from '../hooks/hook-event.js';
import { audited } from './audited.js';
import { beginImport, compensateImport } from './journal-steps.js';
import { loadInstance } from './load-instance.js';
import { stepUpDetails, stepUpOperations } from '../step-up/step-up-policy.js';
import { importPrepared, prepareUpload, type KeyFileUpload } from './uploaded-key.js';

/** unlock (DESIGN §4): the same key file re-enters the vault, every DEK must unwrap with it, and the instance is active again. */
export async function unlockInstance(deps: EngineDeps, actor: Actor, instanceName: string, upload: KeyFileUpload): Promise<Instance> {
  return audited(deps, { action: 'unlock', actor, tenantId: actor.admin.tenantId, instanceName }, async () => {
    const before = await deps.uow.run(async (store) => {
      const c = await loadInstance(store, actor.admin.tenantId, instanceName);
      requireEntitled(c.tenant);
      requireInstanceAdmin(actor.admin, c.instance);
      if (c.instance.state !== 'locked') {
        throw new DomainError('instance_not_active', `${instanceName} is ${c.instance.state}, not locked; there is nothing to unlock.`, { instance: instanceName, state: c.instance.state });
      }
      if (stepUpOperations(c.tenant.settings).includes('unlock') && !actor.stepUp) {
        throw new DomainError('step_up_required', `This tenant requires a passkey to unlock ${instanceName}. Unlock it from the one-time page ("unlock ${instanceName}" in chat, or the console), where your passkey confirms it.`, { instance: instanceName, operation: 'unlock' });
      }
      return { ...c, deks: await store.keyring.listByProtector(c.instance.id, c.protector.id) };
    });
    const prepared = prepareUpload(before.tenant, upload);
    const mismatch = (presented: string) => new DomainError('key_mismatch', `This key file (${presented}) is not the key ${instanceName} was locked with (${before.protector.fingerprint}). Find the file of that key.`, {
      instance: instanceName, presented, expected: before.protector.fingerprint,
    });
    if (prepared.kind === 'pfx' && prepared.fingerprint !== before.protector.fingerprint) {
      prepared.key.privateKeyPkcs8.fill(0);
      throw mismatch(prepared.fingerprint);
    }
    // Unique per attempt: two racing unlocks must never share (and so destroy) each other's vault key.
    const vaultKeyId = `prot-${before.protector.id}-u${before.instance.generation}-${newId(deps.random)}`;
    const journal = await beginImport(deps, 'unlock', before.instance.id, [vaultKeyId]);
    await deps.steps.reached('unlock:journaled');
    try {
      const imported = await importPrepared(deps, vaultKeyId, prepared);
      if (imported.fingerprint !== before.protector.fingerprint) throw mismatch(imported.fingerprint);
    } catch (e) {
      await compensateImport(deps, journal).catch((err: unknown) => deps.logger.error('journal: compensation deferred to recovery', { journal: journal.id, error: String(err) }));
      throw e;
    }
    await deps.steps.reached('unlock:imported');
    let unlocked: Instance;
    try {
      for (const row of before.deks) {
        const dek = await deps.vault.unwrapDek(vaultKeyId, row.wrapped).catch((e: unknown) => {
          if (e instanceof VaultKeyNotFoundError) throw new DomainError('operation_in_progress', `The unlock of ${instanceName} was interrupted and undone by recovery. Try again.`);
          throw e;
        });
        dek.fill(0);
      }
      unlocked = await deps.uow.run(async (store) => {
        const now = deps.clock.now();
        const c = await loadInstance(store, actor.admin.tenantId, instanceName, true);
        if (c.instance.generation !== before.instance.generation || c.instance.state !== 'locked') {
          throw new DomainError('operation_in_progress', `${instanceName} changed during the unlock. Check "status ${instanceName}".`);
        }
        if (!(await store.journal.transition(journal.id, 'open', 'done', now))) {
          throw new DomainError('operation_in_progress', `The unlock of ${instanceName} was interrupted and undone by recovery. Try again.`);
        }
        await store.protectors.update(c.protector.id, { vaultKeyId });
        const updated = await store.instances.update(c.instance.id, c.instance.generation, { state: 'active' });
        await appendAudit(store, {
          at: now, tenantId: c.tenant.id, actor: auditActorOf(actor), transport: actor.transport, action: 'unlock',
          instanceName, requestId: null, result: 'ok', code: null, details: { fingerprint: c.protector.fingerprint, ...stepUpDetails(actor) },
        });
        await fanOutAlert(store, deps, now, c.tenant.id, instanceUnlocked(instanceName, actor.admin, c.protector.fingerprint, now));
        await queueHookEvent(store, deps, now, c.tenant, updated!, 'instance.unlocked', null, null);
        return updated!;
      });
    } catch (e) {
      await compensateImport(deps, journal).catch((err: unknown) => deps.logger.error('journal: compensation deferred to recovery', { journal: journal.id, error: String(err) }));
      throw e;
    }
    await deps.steps.reached('unlock:committed');
    return unlocked;
  });
}
