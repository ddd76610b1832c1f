import type { Activity } from '@microsoft/teams.api';
import { appendAudit } from '../../core/audit/append-audit.js';
import type { Admin } from '../../core/model/admin.js';
import { teamsTenantOf } from './capture-reference.js';
import type { TeamsBotDeps } from './teams-bot-deps.js';

/** The sender as a dualkey admin, or the private refusal to show (the refusal is audited). */
export type Sender = { admin: Admin } | { refusal: string };

/** Maps Teams tenant + AAD object id to the linked admin; an unknown user is refused with code identity_not_linked. */
export async function identifySender(deps: TeamsBotDeps, activity: Activity): Promise<Sender> {
  const tenant = teamsTenantOf(activity);
  const aad = activity.from?.aadObjectId ?? null;
  const admin = tenant && aad ? await deps.engine.adminByIdentity('teams', tenant, aad) : null;
  if (admin) return { admin };
  const { engine } = deps;
  await engine.deps.uow.run((store) =>
    appendAudit(store, {
      at: engine.deps.clock.now(),
      tenantId: null,
      actor: { kind: 'unknown', adminId: null, email: null, impersonatedBy: null },
      transport: 'teams',
      action: 'teams_unknown_user',
      instanceName: null,
      requestId: null,
      result: 'refused',
      code: 'identity_not_linked',
      details: { teamsTenant: tenant, aadObjectId: aad, activity: activity.type === 'invoke' ? `invoke ${activity.name}` : activity.type },
    }),
  );
  const who = tenant && aad ? `--teams ${tenant}/${aad}` : '--teams <tenantId>/<aadObjectId>';
  return { refusal: `Your Teams account is not linked to a dualkey admin, so I cannot act for you (identity_not_linked). If you are already an admin, ask a global admin to link this account (dualkey admin link <your e-mail> ${who}); if not, to propose you (dualkey admin add <your e-mail> … ${who}). A second global admin approves either.` };
}
