import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import { generateDek, wrapDek } from '../crypto/envelope.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import { fingerprintSpki } from '../keyfiles/fingerprint.js';
import type { Instance } from '../model/instance.js';
import type { Protector } from '../model/protector.js';
import { audited } from '../lifecycle/audited.js';
import { beginImport, compensateImport } from '../lifecycle/journal-steps.js';
import { requireName } from './validate-names.js';

/** Creates an instance protected by a service-managed key, with DEK version 1. */
export async function createInstance(deps: EngineDeps, tenantId: string, name: string): Promise<Instance> {
  return audited(deps, { action: 'instance_create', actor: 'operator', tenantId, instanceName: name }, async () => {
    requireName('instance', name);
    await deps.uow.run(async (store) => {
      if (!(await store.tenants.byId(tenantId))) throw new DomainError('tenant_not_found', 'That tenant does not exist.');
      if (await store.instances.byName(tenantId, name)) throw new DomainError('instance_exists', `Instance ${name} already exists.`, { instance: name });
    });
    const protectorId = newId(deps.random);
    const vaultKeyId = `prot-${protectorId}`;
    const journal = await beginImport(deps, 'instance_create', null, [vaultKeyId]);
    const spki = await deps.vault.generateKey(vaultKeyId);
    const dek = generateDek(deps.random);
    const wrapped = wrapDek(dek, spki);
    dek.fill(0);
    try {
      return await deps.uow.run(async (store) => {
        const at = deps.clock.now();
        if (await store.instances.byName(tenantId, name)) throw new DomainError('instance_exists', `Instance ${name} already exists.`, { instance: name });
        if (!(await store.journal.transition(journal.id, 'open', 'done', at))) throw new DomainError('operation_in_progress', 'Instance creation was interrupted; try again.');
        const instance: Instance = { id: newId(deps.random), tenantId, name, state: 'active', keyMode: 'service', protectorId, generation: 1, lastKeyChangeAt: null, createdAt: at };
        const protector: Protector = { id: protectorId, instanceId: instance.id, kind: 'service', name: `${name} Service-managed Key`, fingerprint: fingerprintSpki(spki), publicKey: spki, vaultKeyId, status: 'active', createdAt: at };
        await store.instances.insert(instance);
        await store.protectors.insert(protector);
        await store.keyring.insert([{ instanceId: instance.id, version: 1, protectorId, wrapped }]);
        await appendAudit(store, {
          at, tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'instance_create', instanceName: name, requestId: null, result: 'ok', code: null,
          details: { fingerprint: protector.fingerprint },
        });
        return instance;
      });
    } catch (e) {
      await compensateImport(deps, journal).catch(() => undefined);
      throw e;
    }
  });
}
