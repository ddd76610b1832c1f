import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import { createCliWorkspace, type CliRun, type CliWorkspace } from '../support/e2e-cli.js';
import { FIXTURE_PASSWORD } from '../support/key-fixtures.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'keyfiles');

function ok<T>(r: CliRun<T>): T {
  expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.json;
}

describe('k-of-n approvals through the spawned CLI', () => {
  let ws: CliWorkspace;
  let files: Record<string, string>;
  beforeAll(async () => {
    ws = await createCliWorkspace();
    const emails = ['ann', 'bob', 'cat'].map((n) => `${n}@example.com`);
    const tokens = await ws.withEngine(async (engine: Engine) => {
      const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
      await engine.createInstance(tenant.id, 'crm-prod');
      const ann = await engine.addAdmin(tenant.id, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
      const bob = await engine.addAdmin(tenant.id, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] });
      // Cat, who administers crm-prod, joins the two-person way.
      const add = await engine.requestAdminChange({ admin: ann, transport: 'web' }, { operation: 'admin_add', email: 'cat@example.com', name: 'Cat', role: 'system_admin', instances: ['crm-prod'], identities: [] });
      await engine.decide({ admin: bob, transport: 'web' }, add.id, 'approve');
      const out: string[] = [];
      for (const email of emails) out.push((await engine.createCliToken({ admin: await engine.adminByEmail(tenant.id, email), transport: 'web' }, 'k-of-n test')).token);
      return out;
    });
    files = Object.fromEntries(emails.map((email, i) => {
      const name = `${email.slice(0, 3)}.token`;
      writeFileSync(path.join(ws.cwd, name), `${tokens[i]!}\n`, { mode: 0o600 });
      return [email.slice(0, 3), name];
    }));
    writeFileSync(path.join(ws.cwd, 'pw.txt'), `${FIXTURE_PASSWORD}\n`, { mode: 0o600 });
  });
  afterAll(() => ws.dispose());

  it('sets the counts with --approvals-required, refuses bad ones, and answers an approval short of the count with "1 of 2"', async () => {
    const bad = await ws.run(['tenant', 'set', '--approvals-required', 'lock=0', '--json']);
    expect(bad.code).toBe(1);
    expect((bad.json as { error: { code: string } }).error.code).toBe('invalid_approvals_required');
    const usage = await ws.run(['tenant', 'set', '--approvals-required', 'unlock=2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--approvals-required takes key_change=<n>,lock=<n>,admin_change=<n>');
    // Raising strengthens the rule: the operator applies it at once even with two global admins.
    // Two global admins: a roster change cannot need two approvers besides its requester.
    const unreachable = await ws.run(['tenant', 'set', '--approvals-required', 'key_change=2,lock=2,admin_change=2', '--json']);
    expect((unreachable.json as { error: { code: string } }).error.code).toBe('approvals_unreachable');
    const set = ok(await ws.run<{ settings: Record<string, unknown> }>(['tenant', 'set', '--approvals-required', 'key_change=2,lock=2', '--json']));
    expect(set.settings).toMatchObject({ approvalsKeyChange: 2, approvalsLock: 2 });
    // Lowering weakens it: refused for the operator, since the tenant has its global admins.
    const lower = await ws.run(['tenant', 'set', '--approvals-required', 'lock=1', '--json']);
    expect((lower.json as { error: { code: string } }).error.code).toBe('settings_change_needs_approval');

    const upload = ok(await ws.run<{ request: string }>(['key', 'upload', 'crm-prod', '--token-file', files.ann!, '--file', path.join(FIXTURES, 'rsa-2048.pfx'), '--password-file', 'pw.txt', '--json']));
    const first = await ws.run(['approve', upload.request, '--token-file', files.bob!]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/your approval is recorded — 1 of 2 approvals: Bob <bob@example\.com> at \d{4}-\d\d-\d\d \d\d:\d\d UTC\. It stays pending until 1 more approve\./);
    const listed = ok(await ws.run<Array<Record<string, unknown>>>(['requests', '--json']));
    expect(listed.find((r) => r.id === upload.request)).toMatchObject({ state: 'pending', approvals: 1, required: 2, approvers: ['bob@example.com'] });
    const again = await ws.run(['approve', upload.request, '--token-file', files.bob!, '--json']);
    expect((again.json as { error: { code: string } }).error.code).toBe('approval_already_recorded');
    expect(ok(await ws.run(['approve', upload.request, '--token-file', files.cat!, '--json']))).toMatchObject({ request: upload.request, state: 'approved', approvedWith: ['bob@example.com'] });
  });
});
