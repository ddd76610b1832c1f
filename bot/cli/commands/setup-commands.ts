import type { Identity, RoleName } from '../../../core/model/admin.js';
import { identityKey } from '../../../core/roster/admin-change.js';
import { type CliCommand, str } from '../cli-command.js';
import { UsageError } from '../usage-error.js';

const ROLE = /^(global_admin|service_admin|system_admin:[a-z0-9-]+(,[a-z0-9-]+)*)$/;

function parseRole(value: string | undefined): { role: RoleName; instances: string[] } {
  if (!value || !ROLE.test(value)) throw new UsageError('--role must be global_admin, service_admin or system_admin:<instance>[,<instance>]');
  const [role, list] = value.split(':') as [RoleName, string | undefined];
  return { role, instances: list ? list.split(',') : [] };
}

function parseIdentity(platform: 'slack' | 'teams', value: string | undefined): Identity[] {
  if (value === undefined) return [];
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value);
  if (!m) throw new UsageError(platform === 'slack' ? '--slack must be <team id>/<user id>, e.g. T0123ABCD/U0456EFGH' : '--teams must be <tenant id>/<AAD object id>');
  return [{ platform, workspace: m[1]!, userId: m[2]! }];
}

/** tenant create, admin add|remove|link|unlink, admins, instance create, instance token. */
export const setupCommands: CliCommand[] = [
  {
    path: ['tenant', 'create'],
    usage: 'dualkey tenant create <tenant> [--no-self-managed-keys]',
    options: { 'no-self-managed-keys': { type: 'boolean' } },
    args: [1, 1],
    async run(ctx, [name], values) {
      const t = await (await ctx.engine()).createTenant(name!, { selfManagedKeys: !values['no-self-managed-keys'] });
      return { json: { tenant: t.name, id: t.id, selfManagedKeys: t.selfManagedKeys }, text: `Created tenant ${t.name}${t.selfManagedKeys ? '' : ' (without self-managed keys)'}.` };
    },
  },
  {
    path: ['admin', 'add'],
    usage: 'dualkey admin add <email> --name <name> --role <global_admin|service_admin|system_admin:<inst>[,<inst>]> [--slack <team>/<user>] [--teams <tenantId>/<aadObjectId>] [--token-file <f of a global admin>]',
    options: { name: { type: 'string' }, role: { type: 'string' }, slack: { type: 'string' }, teams: { type: 'string' }, as: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [email], values) {
      const name = str(values, 'name');
      if (!name) throw new UsageError('--name <display name> is required');
      const { role, instances } = parseRole(str(values, 'role'));
      const identities = [...parseIdentity('slack', str(values, 'slack')), ...parseIdentity('teams', str(values, 'teams'))];
      const actor = await ctx.actingAdmin(str(values, 'as'));
      if (actor) {
        // After the first two global admins, a roster change is a request another global admin approves.
        const r = await (await ctx.engine()).requestAdminChange(actor, { operation: 'admin_add', email: email!, name, role, instances, identities });
        return { json: { request: r.id, type: r.type, state: r.state, deadline: r.deadline.toISOString() }, text: `Requested: add ${email} as ${role}. Another global admin must approve ${r.id}.` };
      }
      const tenant = await ctx.tenant();
      const admin = await (await ctx.engine()).addAdmin(tenant.id, { email: email!, name, role, instances, identities });
      return { json: { email: admin.email, name: admin.name, role: admin.role, instances: admin.instances, id: admin.id }, text: `Added ${admin.email} as ${admin.role}${admin.instances.length ? ` of ${admin.instances.join(', ')}` : ''}.` };
    },
  },
  {
    path: ['admin', 'remove'],
    usage: 'dualkey admin remove <email> --token-file <f of a global admin>',
    options: { as: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [email], values) {
      const r = await (await ctx.engine()).requestAdminChange(await ctx.actor(str(values, 'as')), { operation: 'admin_remove', email: email! });
      return { json: { request: r.id, type: r.type, state: r.state, deadline: r.deadline.toISOString() }, text: `Requested: remove ${email}. Another global admin must approve ${r.id}.` };
    },
  },
  {
    path: ['admin', 'link'],
    usage: 'dualkey admin link <email> [--slack <team>/<user>] [--teams <tenantId>/<aadObjectId>] [--token-file <f of a global admin>]',
    options: { slack: { type: 'string' }, teams: { type: 'string' }, as: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [email], values) {
      const identities = [...parseIdentity('slack', str(values, 'slack')), ...parseIdentity('teams', str(values, 'teams'))];
      if (identities.length === 0) throw new UsageError('name the identity to link: --slack <team>/<user> and/or --teams <tenantId>/<aadObjectId>');
      const actor = await ctx.actingAdmin(str(values, 'as'));
      if (actor) {
        // A linked identity can decide requests: once the tenant has two global admins, linking is a roster request.
        const r = await (await ctx.engine()).requestAdminChange(actor, { operation: 'identity_link', email: email!, identities });
        return { json: { request: r.id, type: r.type, state: r.state, deadline: r.deadline.toISOString() }, text: `Requested: link ${identities.map(identityKey).join(', ')} to ${email}. Another global admin must approve ${r.id}.` };
      }
      const admin = await (await ctx.engine()).linkIdentity((await ctx.tenant()).id, email!, identities);
      return { json: { email: admin.email, identities: admin.identities.map(identityKey) }, text: `Linked ${identities.map(identityKey).join(', ')} to ${admin.email}.` };
    },
  },
  {
    path: ['admin', 'unlink'],
    usage: 'dualkey admin unlink <email> [--slack <team>/<user>] [--teams <tenantId>/<aadObjectId>] --token-file <f of a global admin>',
    options: { slack: { type: 'string' }, teams: { type: 'string' }, as: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [email], values) {
      const identities = [...parseIdentity('slack', str(values, 'slack')), ...parseIdentity('teams', str(values, 'teams'))];
      if (identities.length === 0) throw new UsageError('name the identity to unlink: --slack <team>/<user> and/or --teams <tenantId>/<aadObjectId>');
      const r = await (await ctx.engine()).requestAdminChange(await ctx.actor(str(values, 'as')), { operation: 'identity_unlink', email: email!, identities });
      return { json: { request: r.id, type: r.type, state: r.state, deadline: r.deadline.toISOString() }, text: `Requested: unlink ${identities.map(identityKey).join(', ')} from ${email}. Another global admin must approve ${r.id}.` };
    },
  },
  {
    path: ['admins'],
    usage: 'dualkey admins',
    options: {},
    args: [0, 0],
    async run(ctx) {
      const admins = await (await ctx.engine()).listAdmins((await ctx.tenant()).id);
      const json = admins.map((a) => ({ email: a.email, name: a.name, role: a.role, instances: a.instances, identities: a.identities.map((i) => `${i.platform}:${i.workspace}/${i.userId}`) }));
      return { json, text: json.map((a) => `${a.email}  ${a.name}  ${a.role}${a.instances.length ? `:${a.instances.join(',')}` : ''}  ${a.identities.join(' ')}`).join('\n') || 'No admins yet.' };
    },
  },
  {
    path: ['instance', 'create'],
    usage: 'dualkey instance create <instance>',
    options: {},
    args: [1, 1],
    async run(ctx, [name]) {
      const tenant = await ctx.tenant();
      const i = await (await ctx.engine()).createInstance(tenant.id, name!);
      return { json: { instance: i.name, id: i.id, state: i.state, keyMode: i.keyMode }, text: `Created instance ${i.name} (service-managed key).` };
    },
  },
  {
    path: ['instance', 'token'],
    usage: 'dualkey instance token <instance>',
    options: {},
    args: [1, 1],
    async run(ctx, [name]) {
      const tenant = await ctx.tenant();
      const token = await (await ctx.engine()).issueToken(tenant.id, name!);
      return { json: { instance: name, token }, text: `${token}\n(Shown once: store it as the data-plane bearer token of ${name}.)` };
    },
  },
];
