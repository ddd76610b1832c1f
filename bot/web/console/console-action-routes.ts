import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../../../core/lifecycle/decide-request.js';
import { isDomainError, DomainError } from '../../../core/errors.js';
import type { RoleName } from '../../../core/model/admin.js';
import type { PageOperation } from '../../../core/model/page-token.js';
import type { Route } from '../route.js';
import { renderAdminsPage } from './admins-page.js';
import { consoleStatus, type ConsoleContext, type SignedIn } from './console-context.js';
import { redirect, sendConsolePage } from './console-http.js';
import { notice } from './console-layout.js';
import { renderInstancePage, renderRevertConfirm } from './instance-page.js';
import { decisionsFor, renderDecisionConfirm, renderRequestPage } from './requests-page.js';
import { renderNewTokenPage, renderTokensPage } from './tokens-page.js';
import type { WebAuthnVerifier } from '../../../core/ports/webauthn.js';
import { renderStepUpPage } from './step-up-page.js';
import { CEREMONY_CSP } from './webauthn-assets.js';

const NAME = '([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)';
const REQUEST = '(r-[a-z0-9]{1,32})';
const SECRET_PAGES: readonly PageOperation[] = ['key_new', 'key_upload', 'lock', 'unlock'];
const ROLES: readonly RoleName[] = ['global_admin', 'service_admin', 'system_admin'];

/** The passkey response field, parsed; anything but a JSON object counts as no response. */
function parseJsonObject(text: string): unknown {
  try {
    const v: unknown = JSON.parse(text.slice(0, 64 * 1024));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, s: SignedIn, form: URLSearchParams) => Promise<void>;

/** The console's actions (POST), each through the same engine use-cases as chat and the CLI, as the signed-in admin. */
export function consoleActionRoutes(ctx: ConsoleContext, webauthn: WebAuthnVerifier): Route[] {
  const { engine } = ctx;
  const post = (name: string, path: RegExp, fn: Handler): Route => ({ name, method: 'POST', path, handler: ctx.guard(name, ctx.action(fn)) });
  /** Runs `fn`; a refusal re-renders the page it came from with the code and message. */
  const refusing = async (res: ServerResponse, fn: () => Promise<void>, again: (banner: ReturnType<typeof notice>, status: number) => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      if (!isDomainError(e)) throw e;
      await again(notice('bad', e.message, e.code), consoleStatus(e.code));
    }
  };

  return [
    post('console.instance.action', new RegExp(`^/console/instances/${NAME}$`), async (_req, res, m, s, form) => {
      const name = m[1]!;
      const op = form.get('op') ?? '';
      const back = async (banner: ReturnType<typeof notice>, status: number) => sendConsolePage(res, status, renderInstancePage(s.viewer, await engine.console.instance(s.admin, name), ctx.now(), banner));
      await refusing(res, async () => {
        if ((SECRET_PAGES as readonly string[]).includes(op)) {
          // Key files and passwords go through the one-time secrets pages, issued here as for a chat command.
          const { token } = await engine.issuePageLink(s.actor, op as PageOperation, name);
          return redirect(res, `${ctx.site.basePath}/pages/${token}`);
        }
        if (op !== 'key_revert') throw new DomainError('invalid_input', 'Choose one of the actions on the page.');
        if (form.get('confirmed') !== 'yes') {
          await engine.console.instance(s.admin, name); // a missing instance is refused before asking for confirmation
          return sendConsolePage(res, 200, renderRevertConfirm(s.viewer, name));
        }
        await engine.changeKey(s.actor, name, { kind: 'revert' });
        redirect(res, `/console/instances/${name}?done=revert`);
      }, back);
    }),
    post('console.request.decide', new RegExp(`^/console/requests/${REQUEST}$`), async (_req, res, m, s, form) => {
      const id = m[1]!;
      const decision = form.get('decision') as Decision;
      const back = async (banner: ReturnType<typeof notice>, status: number) => sendConsolePage(res, status, renderRequestPage(s.viewer, await engine.console.request(s.admin, id), ctx.now(), banner));
      await refusing(res, async () => {
        const r = await engine.console.request(s.admin, id);
        const choice = decisionsFor(r).find((d) => d.decision === decision);
        if (!choice) throw new DomainError('request_type_mismatch', `A ${r.type.replace('_', ' ')} request can be ${decisionsFor(r).map((d) => d.label.toLowerCase()).join(' or ')}.`, { request: id });
        if (choice.confirm && form.get('confirmed') !== 'yes' && r.state === 'pending') return sendConsolePage(res, 200, renderDecisionConfirm(s.viewer, r, decision, choice.label, choice.confirm));
        const reason = (form.get('reason') ?? '').trim().slice(0, 500) || null;
        const response = form.get('response');
        try {
          // A passkey response answers a step-up challenge; without one the decision goes as on every transport.
          const decided = response !== null ? await engine.decideWithStepUp(webauthn, s.actor, id, decision, reason, parseJsonObject(response)) : await engine.decide(s.actor, id, decision, reason);
          // A k-of-n approval short of its count: recorded, the request stays pending.
          if (decided.progress) return redirect(res, `/console/requests/${id}?done=approval_recorded`);
        } catch (e) {
          if (!isDomainError(e) || (e.code !== 'step_up_required' && e.code !== 'step_up_invalid')) throw e;
          // The tenant wants a passkey for this decision: ask for it here, challenge bound to this request, decision and deadline.
          const options = await engine.beginStepUp(webauthn, s.actor, id, decision).catch((again: unknown) => {
            // A refused assertion stays the answer (a replay after the request closed is still a replay); a missing passkey says so.
            throw isDomainError(again) && e.code === 'step_up_invalid' ? e : again;
          });
          return sendConsolePage(res, consoleStatus(e.code), renderStepUpPage(s.viewer, r, decision, choice.label, reason, options, notice('bad', e.message, e.code)), CEREMONY_CSP);
        }
        redirect(res, `/console/requests/${id}?done=${decision}`);
      }, back);
    }),
    post('console.admins.change', /^\/console\/admins$/, async (_req, res, _m, s, form) => {
      const back = async (banner: ReturnType<typeof notice>, status: number) => {
        const [admins, pending] = await Promise.all([engine.listAdmins(s.admin.tenantId), engine.console.requests(s.admin, false)]);
        sendConsolePage(res, status, renderAdminsPage(s.viewer, admins, pending.filter((r) => r.type === 'admin_change'), ctx.now(), banner));
      };
      await refusing(res, async () => {
        const op = form.get('op');
        const email = (form.get('email') ?? '').trim().toLowerCase();
        if (op === 'admin_remove') {
          await engine.requestAdminChange(s.actor, { operation: 'admin_remove', email });
          return redirect(res, '/console/admins?done=admin_remove');
        }
        if (op !== 'admin_add') throw new DomainError('invalid_input', 'Choose add or remove.');
        const role = form.get('role') as RoleName;
        if (!ROLES.includes(role)) throw new DomainError('invalid_input', 'Choose a role: global admin, service admin or system admin.');
        const instances = role === 'system_admin' ? (form.get('instances') ?? '').split(',').map((i) => i.trim()).filter(Boolean) : [];
        await engine.requestAdminChange(s.actor, { operation: 'admin_add', email, name: (form.get('name') ?? '').trim(), role, instances, identities: [] });
        redirect(res, '/console/admins?done=admin_add');
      }, back);
    }),
    post('console.tokens', /^\/console\/tokens$/, async (_req, res, _m, s, form) => {
      const back = async (banner: ReturnType<typeof notice>, status: number) => sendConsolePage(res, status, renderTokensPage(s.viewer, await engine.listCliTokens(s.admin.tenantId, s.admin.id), banner));
      await refusing(res, async () => {
        const op = form.get('op');
        if (op === 'revoke') {
          await engine.revokeCliToken(s.actor, s.admin.tenantId, (form.get('id') ?? '').trim());
          return redirect(res, '/console/tokens?done=token_revoke');
        }
        if (op !== 'create') throw new DomainError('invalid_input', 'Choose create or revoke.');
        const { token, cliToken } = await engine.createCliToken(s.actor, form.get('label'));
        // Shown once, in the response to the POST (no-store): never in a URL, never again.
        sendConsolePage(res, 200, renderNewTokenPage(s.viewer, token, { ...cliToken, adminEmail: s.admin.email }));
      }, back);
    }),
    post('console.inbox.read', /^\/console\/inbox$/, async (_req, res, _m, s) => {
      await engine.console.markInboxRead(s.admin);
      redirect(res, '/console/inbox');
    }),
    post('console.sign-out', /^\/console\/sign-out$/, async (_req, res, _m, s) => {
      await engine.endSession(s.session);
      redirect(res, '/console/', { 'set-cookie': ctx.cookies.clearSession() });
    }),
    post('console.sign-out-everywhere', /^\/console\/sign-out-everywhere$/, async (_req, res, _m, s) => {
      await engine.endAllSessions(s.admin);
      redirect(res, '/console/', { 'set-cookie': ctx.cookies.clearSession() });
    }),
  ];
}
