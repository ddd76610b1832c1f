import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../../../core/engine.js';
import { isDomainError } from '../../../core/errors.js';
import type { Actor } from '../../../core/model/actor.js';
import type { Admin } from '../../../core/model/admin.js';
import type { PageToken } from '../../../core/model/page-token.js';
import { PAGE_LINK_MAX_FAILURES } from '../../../core/pages/page-links.js';
import { publicUrlOf, type Config } from '../../runtime/config.js';
import { simpleWebAuthnVerifier } from '../console/webauthn-verifier.js';
import type { Route } from '../route.js';
import { PageCsrf, CSRF_FIELD } from './page-csrf.js';
import { PageFault } from './page-fault.js';
import { PAGE_CEREMONY_CSP, sendDownload, sendPage } from './page-headers.js';
import type { WebAuthnVerifier } from '../../../core/ports/webauthn.js';
import { countsAgainstLink, refusalStatus } from './page-refusal.js';
import type { PageNotice } from './page-view.js';
import { pagesSite } from './pages-site.js';
import { readPageForm } from './read-page-form.js';
import { renderFormPage, renderNotice } from './render-form-page.js';
import { renderMessagePage } from './render-message-page.js';
import { renderResultPage } from './render-result-page.js';
import { renderLayout } from './render-layout.js';
import { isCrossSitePost } from './request-origin.js';
import { runPageOperation } from './run-page-operation.js';
import { html } from './html.js';

const PAGE = /^\/pages\/([^/]+)$/;
const KEK = /^\/pages\/([^/]+)\/kek\.pem$/;

const LINK_TITLES: Record<string, string> = { page_link_invalid: 'This link is not valid', page_link_expired: 'This link expired', page_link_used: 'This link was used' };

/** GET|POST /pages/{token} and GET /pages/{token}/kek.pem (DESIGN §5; see README.md here); throws a ConfigError for a non-https PUBLIC_URL. */
export function pageRoutes(engine: Engine, config: Pick<Config, 'PUBLIC_URL' | 'PORT'>, webauthn: WebAuthnVerifier = simpleWebAuthnVerifier(() => publicUrlOf(config))): Route[] {
  const site = pagesSite(config);
  const csrf = new PageCsrf(site);
  /** Links being submitted in this process: a second concurrent submit of the same link gets 409 at once. */
  const inFlight = new Set<string>();
  const now = () => engine.deps.clock.now();
  const actorOf = (page: PageToken, admin: Admin): Actor => ({ admin, transport: page.transport });
  const secondsLeft = (page: PageToken) => (page.expiresAt.getTime() - now().getTime()) / 1000;

  /** Renders the form (fresh, or again after a refusal) with its CSRF cookie. */
  const showForm = async (res: ServerResponse, status: number, token: string, page: PageToken, admin: Admin, csrfValue: string, notice: PageNotice | null) => {
    const kek = page.operation === 'key_upload' ? await engine.ensureKek(actorOf(page, admin), admin.tenantId) : null;
    // An unlock under step-up asks for the passkey on this page; each rendering issues a fresh challenge.
    const stepUp = page.operation === 'unlock' ? await engine.beginUnlockStepUp(webauthn, actorOf(page, admin), page.instanceName) : null;
    sendPage(res, status, renderFormPage({ token, page, admin, csrf: csrfValue, kek, notice, stepUp }), { 'set-cookie': csrf.cookie(token, csrfValue, secondsLeft(page)), ...(stepUp ? PAGE_CEREMONY_CSP : {}) });
  };

  const get = async (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => {
    const token = m[1]!;
    const { page, admin } = await engine.openPageLink(token);
    await showForm(res, 200, token, page, admin, csrf.valueFor(req), null);
  };

  const post = async (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => {
    const token = m[1]!;
    if (isCrossSitePost(req, site)) throw new PageFault(403, 'cross_site_request', 'This form can only be submitted from its own page. Open the link from chat again.');
    const { page, admin } = await engine.openPageLink(token);
    const { form, raw } = await readPageForm(req);
    const password = form.get('password');
    try {
      const field = form.get(CSRF_FIELD);
      if (!csrf.verify(req, field)) throw new PageFault(403, 'csrf_failed', 'This form could not be verified (its cookie is missing or does not match). Reload the page from the link, then submit again.');
      if (inFlight.has(page.id)) throw new PageFault(409, 'operation_in_progress', 'This link is being submitted already. Wait for that submission to finish.');
      inFlight.add(page.id);
      try {
        const outcome = await runPageOperation(engine, actorOf(page, admin), page, form, webauthn);
        // The operation committed: mark the link used (compare-and-swap). Losing the race is only logged —
        // the engine admits one change per instance, and a generated key must reach its admin whatever happens.
        // A failure to mark it must not swallow the result either (the engine refuses a replay on its own).
        const used = await engine.usePageLink(page).catch((e: unknown) => {
          engine.deps.logger.error('pages: could not mark a link used', { page: page.id, error: e instanceof Error ? e.name : 'non-error thrown' });
          return true;
        });
        if (!used) engine.deps.logger.warn('pages: link already marked used after a successful operation', { page: page.id, operation: page.operation });
        const clear = { 'set-cookie': csrf.cookie(token, '', 0) };
        if (outcome.kind === 'download') {
          sendDownload(res, outcome.pfx, 'application/x-pkcs12', outcome.filename, { ...clear, 'x-dualkey-request': outcome.requestId });
          outcome.pfx.fill(0);
        } else {
          sendPage(res, 200, renderResultPage(outcome.view), clear);
        }
      } catch (e) {
        if (!isDomainError(e)) throw e;
        let attemptsLeft: number | null = null;
        if (countsAgainstLink(e.code)) {
          await engine.failPageLink(page);
          attemptsLeft = Math.max(0, PAGE_LINK_MAX_FAILURES - (page.failedAttempts + 1));
        }
        const notice: PageNotice = { code: e.code, message: e.message, attemptsLeft };
        if (attemptsLeft === 0) {
          sendPage(res, refusalStatus(e.code), renderLayout('This link is closed', html`<h1>This link is closed</h1>${renderNotice(notice)}
<p>After ${PAGE_LINK_MAX_FAILURES} failed attempts the link no longer works. Ask dualkey for a new one in chat.</p>`), { 'set-cookie': csrf.cookie(token, '', 0) });
        } else {
          await showForm(res, refusalStatus(e.code), token, page, admin, field as string, notice);
        }
      } finally {
        inFlight.delete(page.id);
      }
    } catch (e) {
      // A fault of a post carries no secrets, but scrub the typed password from it before it can reach a log.
      throw typeof password === 'string' && password && e instanceof Error && !isDomainError(e) && !(e instanceof PageFault) ? redact(e, password) : e;
    } finally {
      raw.fill(0);
    }
  };

  const kek = async (_req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => {
    const { page, admin } = await engine.openPageLink(m[1]!);
    if (page.operation !== 'key_upload') throw new PageFault(404, 'not_found', 'This link does not offer a key-exchange key; only "key upload" links do.');
    const info = await engine.ensureKek(actorOf(page, admin), admin.tenantId);
    sendDownload(res, Buffer.from(info.publicKeyPem), 'application/x-pem-file', `${info.kekId}.pem`, { 'x-dualkey-kek-id': info.kekId });
  };

  /** Every outcome is an HTML page: refusals with their status and code, faults as a 500 without details. */
  const guarded = (name: string, fn: Route['handler']): Route['handler'] => async (req, res, m) => {
    try {
      await fn(req, res, m);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof PageFault) return sendPage(res, e.status, renderMessagePage('This request was refused', e.code, e.message));
      if (isDomainError(e)) return sendPage(res, refusalStatus(e.code), renderMessagePage(LINK_TITLES[e.code] ?? 'This request was refused', e.code, e.message));
      engine.deps.logger.error('pages: internal error', { route: name, error: e instanceof Error ? `${e.name}: ${e.message}` : 'non-error thrown' });
      sendPage(res, 500, renderMessagePage('Something went wrong', 'internal_error', 'Internal error; the operator can find details in the server log. Ask dualkey for a new link and try again.'));
    }
  };

  return [
    { name: 'pages.form', method: 'GET', path: PAGE, handler: guarded('pages.form', get) },
    { name: 'pages.submit', method: 'POST', path: PAGE, handler: guarded('pages.submit', post) },
    { name: 'pages.kek', method: 'GET', path: KEK, handler: guarded('pages.kek', kek) },
  ];
}

function redact(e: Error, secret: string): Error {
  const out = new Error(e.message.split(secret).join('[redacted]'));
  out.name = e.name;
  return out;
}
