import { createEngine, type Engine } from '../../core/engine.js';
import type { Admin } from '../../core/model/admin.js';

/** One demo admin and the sign-in link printed for them. */
export interface DemoAdmin {
  admin: Admin;
  role: string;
  signInToken: string;
}

const SAMPLE_RECORDS: Record<string, Record<string, string>> = {
  'crm-prod': { 'customers/1': 'Ada Lovelace, London', 'customers/2': 'Grace Hopper, Arlington', 'orders/77': '3 pallets of punch cards' },
  'hr-prod': { 'employees/1': 'Katherine Johnson, analyst', 'employees/2': 'Dorothy Vaughan, supervisor' },
  'billing-dev': { 'invoices/2026-001': '100 EUR, paid' },
};

/**
 * Seeds the demo tenant on a fresh data directory: Ann and Bob (global admins, added by the operator as
 * every tenant starts), Cat (service admin) added the two-person way, three instances with sample records,
 * and one console sign-in link per admin. The roster step is the only impersonation, on this throwaway data
 * directory, and the audit records it as such.
 */
export async function seedDemo(engine: Engine): Promise<DemoAdmin[]> {
  const tenant = await engine.createTenant('demo', { selfManagedKeys: true });
  const ann = await engine.addAdmin(tenant.id, { email: 'ann@demo.example', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
  const bob = await engine.addAdmin(tenant.id, { email: 'bob@demo.example', name: 'Bob', role: 'global_admin', instances: [], identities: [] });
  for (const [name, records] of Object.entries(SAMPLE_RECORDS)) {
    const instance = await engine.createInstance(tenant.id, name);
    for (const [key, value] of Object.entries(records)) await engine.records.put({ instanceId: instance.id, tenantId: tenant.id, name }, key, Buffer.from(value));
  }
  // Local development on a throwaway data dir: the one place the demo acts for admins, recorded as impersonation.
  const seeding = createEngine({ ...engine.deps, devImpersonation: true });
  const request = await seeding.requestAdminChange({ admin: ann, transport: 'cli', impersonatedBy: 'operator' }, { operation: 'admin_add', email: 'cat@demo.example', name: 'Cat', role: 'service_admin', instances: [], identities: [] });
  await seeding.decide({ admin: bob, transport: 'cli', impersonatedBy: 'operator' }, request.id, 'approve');
  const cat = await engine.adminByEmail(tenant.id, 'cat@demo.example');
  const out: DemoAdmin[] = [];
  for (const [admin, role] of [[ann, 'global admin'], [bob, 'global admin'], [cat, 'service admin']] as const) {
    out.push({ admin, role, signInToken: (await engine.issueSignInLink(admin, 'cli')).token });
  }
  return out;
}
