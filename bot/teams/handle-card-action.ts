import type { AdaptiveCardActionResponse, IAdaptiveCardActionInvokeActivity } from '@microsoft/teams.api';
import type { IAdaptiveCard } from '@microsoft/teams.cards';
import type { IActivityContext } from '@microsoft/teams.apps';
import { requestDecided } from '../../core/alerts/alert-messages.js';
import { approvalRecorded } from '../../core/alerts/approval-message.js';
import { approvalCount } from '../../core/model/request-approval.js';
import { isDomainError } from '../../core/errors.js';
import type { Decision } from '../../core/lifecycle/decide-request.js';
import type { AlertMessage } from '../../core/model/outbox-message.js';
import { parseCardActionData, renderAlertCard } from './alert-card.js';
import { identifySender } from './identify-sender.js';
import { isStepUpRefusal, stepUpLink } from '../commands/step-up-link.js';
import type { TeamsBotDeps } from './teams-bot-deps.js';

const VERBS = new Set(['approve', 'rollback', 'reject', 'cancel']);

const card = (value: IAdaptiveCard): AdaptiveCardActionResponse => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value });
const text = (value: string): AdaptiveCardActionResponse => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value });

/** The clicker's own copy of the alert (its outbox row), so the card they see can be re-rendered; never another admin's. */
async function ownAlert(deps: TeamsBotDeps, outboxId: string | null, adminId: string, requestId: string): Promise<AlertMessage | null> {
  if (!outboxId) return null;
  const row = await deps.engine.deps.uow.run((store) => store.outbox.byId(outboxId));
  return row && row.adminId === adminId && row.message.requestId === requestId ? row.message : null;
}

/**
 * An `adaptiveCard/action` invoke (Action.Execute): authorised exactly like the chat command (linked
 * identity → admin → engine.decide), answered with the updated card. Dangerous actions (roll back,
 * approve lock) first answer with a confirmation card; a refusal re-renders the card with the reason.
 */
export async function handleCardAction(deps: TeamsBotDeps, ctx: IActivityContext<IAdaptiveCardActionInvokeActivity>): Promise<AdaptiveCardActionResponse> {
  const { activity } = ctx;
  const verb = activity.value?.action?.verb ?? '';
  const data = parseCardActionData(activity.value?.action?.data);
  if (!data || !VERBS.has(verb)) {
    return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'This is not a dualkey button.', innerHttpError: { statusCode: 400, body: null } } };
  }
  const sender = await identifySender(deps, activity);
  if ('refusal' in sender) return text(sender.refusal);
  const { admin } = sender;
  const original = await ownAlert(deps, data.outboxId, admin.id, data.requestId);
  const outboxId = original ? data.outboxId : null;
  if (verb === 'cancel') return original ? card(renderAlertCard(original, { outboxId })) : text('Nothing was changed.');
  const action = original?.actions.find((a) => a.id === verb);
  if (original && action?.confirm && !data.confirmed) {
    return card(renderAlertCard(original, { outboxId, confirming: action, notice: { text: action.confirm, color: 'Warning' } }));
  }
  try {
    const decided = await deps.engine.decide({ admin, transport: 'teams' }, data.requestId, verb as Decision);
    // A k-of-n approval short of its count: the card keeps its buttons for the others and shows the count.
    if (decided.progress && original) {
      return card(renderAlertCard(approvalRecorded(original, decided.progress), { outboxId, notice: { text: `Your approval is recorded: ${approvalCount(decided.progress)}.`, color: 'Good' } }));
    }
    return card(renderAlertCard(requestDecided(decided, original?.instanceName ?? null, admin, (decided.approvedWith ?? []).map((email) => ({ email })))));
  } catch (e) {
    if (!isDomainError(e)) throw e;
    // With step-up on, the card cannot decide: it answers with a one-time link to the request's page in the console.
    const link = isStepUpRefusal(e) ? await stepUpLink(deps.engine, { admin, transport: 'teams' }, e, deps.publicUrl()) : null;
    const notice = `Refused (${e.code}): ${e.message}${link ? ` [${link.label}](${link.url}) (works once, for you, for 10 minutes)` : ''}`;
    return original ? card(renderAlertCard(original, { outboxId, notice: { text: notice, color: 'Attention' } })) : text(notice);
  }
}
