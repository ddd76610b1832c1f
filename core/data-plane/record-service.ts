import { decryptRecord, encryptRecord, recordAad } from '../crypto/envelope.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { InstanceState } from '../model/instance.js';
import type { GuardedWrite } from '../ports/store.js';
import { DekCache } from './dek-cache.js';

/** Largest record value accepted. */
export const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_KEY_LENGTH = 512;

/** The instance a data-plane caller is bound to (from its bearer token). */
export interface InstanceRef {
  instanceId: string;
  tenantId: string;
  name: string;
}

function locked(ref: InstanceRef, state: InstanceState): DomainError {
  return new DomainError('instance_locked', `${ref.name} is ${state}: its data cannot be read or written until an administrator unlocks it.`, { instance: ref.name, state });
}

function requireKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || /[\u0000-\u001f\u007f]/.test(key)) {
    throw new DomainError('invalid_input', `Record keys are 1–${MAX_KEY_LENGTH} characters without control characters.`);
  }
}

/** Reads and writes instance records through envelope encryption; every call checks state and generation in its query. */
export class RecordService {
  /** Plaintext DEKs of this process (the key-cache sweep evicts stale ones). */
  readonly deks: DekCache;

  constructor(private readonly deps: EngineDeps) {
    this.deks = new DekCache(deps);
  }

  /** Stores `value` under `key` (AES-256-GCM with the current DEK version). */
  async put(ref: InstanceRef, key: string, value: Buffer): Promise<{ created: boolean }> {
    requireKey(key);
    if (value.length > MAX_RECORD_BYTES) {
      throw new DomainError('record_too_large', `Records are limited to ${MAX_RECORD_BYTES} bytes (1 MiB); this one has ${value.length}. Split it into several records.`);
    }
    const result = await this.guarded(ref, async (generation) => {
      const { deks, current } = this.deks.peek(ref.instanceId, generation) ?? (await this.deks.get(ref.instanceId, generation));
      const sealed = encryptRecord(deks.get(current)!, recordAad(ref.tenantId, ref.instanceId, key, current), value, this.deps.random);
      // One autocommit statement: no transaction round trips around it (the statement guards itself).
      return this.deps.uow.hot.writeRecord(ref.instanceId, generation, { key, ...sealed, dekVersion: current, updatedAt: this.deps.clock.now() });
    });
    return { created: !result };
  }

  /** The plaintext of `key`, or a `record_not_found` refusal. */
  async get(ref: InstanceRef, key: string): Promise<Buffer> {
    requireKey(key);
    const read = await this.deps.uow.hot.readRecord(ref.instanceId, key);
    if (!read) throw new DomainError('instance_not_found', `Instance ${ref.name} no longer exists.`);
    if (read.state !== 'active') throw locked(ref, read.state);
    if (!read.record) throw new DomainError('record_not_found', `There is no record "${key.slice(0, 100)}" in ${ref.name}.`);
    const { deks } = this.deks.peek(ref.instanceId, read.generation) ?? (await this.deks.get(ref.instanceId, read.generation));
    const dek = deks.get(read.record.dekVersion);
    if (!dek) throw new Error(`DEK version ${read.record.dekVersion} of ${ref.instanceId} is missing`);
    return decryptRecord(dek, recordAad(ref.tenantId, ref.instanceId, key, read.record.dekVersion), read.record);
  }

  /** Deletes `key`; false when there was nothing to delete. */
  async delete(ref: InstanceRef, key: string): Promise<boolean> {
    requireKey(key);
    return this.guarded(ref, (generation) => this.deps.uow.run((store) => store.records.delete(ref.instanceId, generation, key)));
  }

  /** Record keys starting with `prefix`, in order. */
  async list(ref: InstanceRef, prefix: string, limit = 1000): Promise<string[]> {
    const listed = await this.deps.uow.run((store) => store.records.listKeys(ref.instanceId, prefix, limit));
    if (!listed) throw new DomainError('instance_not_found', `Instance ${ref.name} no longer exists.`);
    if (listed.state !== 'active') throw locked(ref, listed.state);
    return listed.keys;
  }

  /** Runs a write at the generation last seen, retrying once per concurrent key change; returns whether the key existed. */
  private async guarded(ref: InstanceRef, write: (generation: number) => Promise<GuardedWrite>): Promise<boolean> {
    // The cached generation saves a round trip; the write statement itself checks it and reports the current one.
    let generation = this.deks.cachedGeneration(ref.instanceId) ?? (await this.currentGeneration(ref));
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await write(generation);
      if (r.outcome === 'ok') return r.existed;
      if (r.outcome === 'not_active') throw locked(ref, r.state);
      generation = r.generation;
    }
    throw new DomainError('operation_in_progress', `${ref.name} is changing keys right now; retry the request.`);
  }

  private async currentGeneration(ref: InstanceRef): Promise<number> {
    const instance = await this.deps.uow.run((store) => store.instances.byId(ref.instanceId));
    if (!instance) throw new DomainError('instance_not_found', `Instance ${ref.name} no longer exists.`);
    if (instance.state !== 'active') throw locked(ref, instance.state);
    return instance.generation;
  }
}
