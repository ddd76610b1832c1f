import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenSession } from '../../../core/console/console-auth.js';
import type { Engine } from '../../../core/engine.js';
import { isDomainError } from '../../../core/errors.js';
import type { Actor } from '../../../core/model/actor.js';
import type { Route } from '../route.js';
import { html } from '../pages/html.js';
import { PageFault } from '../pages/page-fault.js';
import { refusalStatus } from '../pages/page-refusal.js';
import type { PagesSite } from '../pages/pages-site.js';
import { isCrossSitePost } from '../pages/request-origin.js';
import { ConsoleCookies, safeConsolePath } from './console-cookies.js';
import { cookieOf, sendConsolePage } from './console-http.js';
import { consoleLayout, notice, type Viewer } from './console-layout.js';
import { readConsoleForm } from './read-console-form.js';
import { renderSignInNeeded } from './sign-in-pages.js';

const STATUS: Partial<Record<string, number>> = {
  self_approval: 403, admin_too_new: 403, approval_already_recorded: 409, approvals_changed: 409, request_closed: 409, request_expired: 409, request_type_mismatch: 409, request_not_found: 404,
  roster_change_needs_approval: 403, settings_change_needs_approval: 403, last_global_admin: 409, admin_exists: 409, identity_in_use: 409, admin_not_found: 404, session_expired: 401,
  sign_in_link_invalid: 404, sign_in_link_expired: 410, sign_in_link_used: 410,
  passkey_not_found: 404, passkey_registration_failed: 400, step_up_required: 403, step_up_invalid: 403,
};

/** The one place the console maps a refusal code to an HTTP status (the one-time pages' map, plus the console's own codes). */
export function consoleStatus(code: string): number {
  return STATUS[code] ?? refusalStatus(code);
}

/** A signed-in request: the session, the actor it acts as (transport `web`) and the header's viewer. */
export interface SignedIn extends OpenSession {
  actor: Actor;
  viewer: Viewer;
}

/** What every console handler shares: the engine, cookies, session lookup, CSRF checks and the error page. */
export class ConsoleContext {
  readonly cookies: ConsoleCookies;

  constructor(
    readonly engine: Engine,
    readonly site: PagesSite,
    readonly emailSignIn: boolean,
  ) {
    this.cookies = new ConsoleCookies(site);
  }

  now(): Date {
    return this.engine.deps.clock.now();
  }

  /** The live session of the request, or null (no cookie, ended, idle, expired, admin removed). */
  async session(req: IncomingMessage): Promise<SignedIn | null> {
    const cookie = cookieOf(req, this.cookies.session);
    if (!cookie) return null;
    try {
      const open = await this.engine.openSession(cookie);
      const viewer: Viewer = { admin: open.admin, unread: await this.engine.console.unread(open.admin), csrf: open.session.csrf };
      return { ...open, actor: { admin: open.admin, transport: 'web' }, viewer };
    } catch (e) {
      if (isDomainError(e)) return null;
      throw e;
    }
  }

  /** A GET handler that needs a session; without one, the sign-in page (401), remembering where the visitor wanted to go. */
  page(fn: (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, s: SignedIn) => Promise<void>): Route['handler'] {
    return async (req, res, m) => {
      const s = await this.session(req);
      if (s) return fn(req, res, m, s);
      const path = safeConsolePath(new URL(req.url ?? '/', 'http://localhost').pathname + (new URL(req.url ?? '/', 'http://localhost').search));
      const cont = path && path !== '/console/' ? path : null;
      sendConsolePage(res, 401, renderSignInNeeded({ emailSignIn: this.emailSignIn, continueTo: cont, banner: null }), cont ? { 'set-cookie': this.cookies.setNext(cont) } : {});
    };
  }

  /** A POST handler that needs a session, a same-site origin and the session's form token. */
  action(fn: (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, s: SignedIn, form: URLSearchParams) => Promise<void>): Route['handler'] {
    return async (req, res, m) => {
      if (isCrossSitePost(req, this.site)) throw new PageFault(403, 'cross_site_request', 'This form can only be submitted from the dualkey console itself.');
      const s = await this.session(req);
      if (!s) {
        req.resume();
        return sendConsolePage(res, 401, renderSignInNeeded({ emailSignIn: this.emailSignIn, continueTo: null, banner: notice('bad', 'You are not signed in (or your session ended); nothing was done.', 'session_expired') }));
      }
      const form = await readConsoleForm(req);
      const field = form.get('csrf') ?? '';
      const ok = field.length === s.session.csrf.length && timingSafeEqual(Buffer.from(field), Buffer.from(s.session.csrf));
      if (!ok) throw new PageFault(403, 'csrf_failed', 'This form could not be verified. Reload the page and submit it again.');
      return fn(req, res, m, s, form);
    };
  }

  /** Wraps a handler: refusals and page faults become a page with their code; faults a 500 page without details. */
  guard(name: string, fn: Route['handler']): Route['handler'] {
    return async (req, res, m) => {
      try {
        await fn(req, res, m);
      } catch (e) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const refused = (status: number, code: string, message: string) => sendConsolePage(res, status, consoleLayout('Refused', 'none', null, html`<h1>This request was refused</h1>${notice('bad', message, code)}<p><a href="/console/">Back to the console</a></p>`));
        if (e instanceof PageFault) return refused(e.status, e.code, e.message);
        if (isDomainError(e)) return refused(consoleStatus(e.code), e.code, e.message);
        this.engine.deps.logger.error('console: internal error', { route: name, error: e instanceof Error ? `${e.name}: ${e.message}` : 'non-error thrown' });
        sendConsolePage(res, 500, consoleLayout('Error', 'none', null, html`<h1>Something went wrong</h1>${notice('bad', 'Internal error; the operator can find details in the server log.', 'internal_error')}`));
      }
    };
  }
}
