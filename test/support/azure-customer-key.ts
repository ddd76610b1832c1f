import { createEngine, type Engine } from '../../core/engine.js';
import { cryptoRandom } from '../../bot/runtime/crypto-random.js';
import type { AzureHarness } from './azure-harness.js';
import { seedTenant, type Seeded } from './engine-harness.js';
import { FaultHook } from './fault-hook.js';
import { FIXTURE_PASSWORD, fixture } from './key-fixtures.js';

/** A seeded tenant whose instance is protected by an uploaded customer key in the fake Key Vault, with one record and MariaDB keys. */
export interface AzureCustomerKey {
  s: Seeded;
  /** The customer key's name in the fake Key Vault (to disable it as its owner would). */
  keyName: string;
  ref: { instanceId: string; tenantId: string; name: string };
  /** The instance's data-plane token (the MariaDB key server's credential). */
  token: string;
  /** Another server replica: its own engine, so its own empty DEK caches, on the same database and vault. */
  replica(): Engine;
}

/** Seeds it: an approved upload of the RSA-2048 fixture, record `customers/1` = "Ada", DB keys initialised. */
export async function seedAzureCustomerKey(h: AzureHarness): Promise<AzureCustomerKey> {
  const s = await seedTenant(h);
  const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
  await h.engine.decide(s.bob, r.request.id, 'approve');
  const i = (await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance)))!;
  const keyName = (await h.db.uow.run((store) => store.protectors.byId(i.protectorId)))!.vaultKeyId!;
  const ref = { instanceId: i.id, tenantId: s.tenant.id, name: s.instance };
  await h.engine.records.put(ref, 'customers/1', Buffer.from('Ada'));
  const token = await h.engine.issueToken(s.tenant.id, s.instance);
  await h.engine.initDbKeys(s.tenant.id, s.instance);
  const replica = () => createEngine({ uow: h.db.uow, vault: h.vault, clock: h.clock, random: cryptoRandom, logger: h.logger, steps: new FaultHook() });
  return { s, keyName, ref, token, replica };
}
