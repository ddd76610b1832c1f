import type { Engine } from '../../../core/engine.js';
import { isDomainError } from '../../../core/errors.js';
import type { Route } from '../route.js';
import { PageFault } from '../pages/page-fault.js';
import { isCrossSitePost } from '../pages/request-origin.js';
import { consoleStatus, type ConsoleContext } from './console-context.js';
import { safeConsolePath } from './console-cookies.js';
import { cookieOf, queryOf, redirect, sendConsolePage } from './console-http.js';
import { readConsoleForm } from './read-console-form.js';
import { renderLinkSent, renderSignInConfirm, renderSignInRefused } from './sign-in-pages.js';

/** Sends a sign-in link by e-mail (present when SMTP is configured). */
export type SignInMailer = (to: string, url: string, expiresAt: Date) => Promise<void>;

const LINK = /^\/console\/sign-in\/([^/]+)$/;

/** Every admin (any tenant) with this address: one address may administer several tenants. */
async function adminsWithEmail(engine: Engine, email: string) {
  const tenants = await engine.deps.uow.run((store) => store.tenants.list());
  const found = await engine.deps.uow.run(async (store) => Promise.all(tenants.map((t) => store.admins.byEmail(t.id, email))));
  return found.filter((a) => a !== null);
}

/** Sign-in: the one-time link's confirmation page and its POST (which opens the session), and the e-mail form. */
export function consoleSignInRoutes(ctx: ConsoleContext, publicUrl: () => string, mailer: SignInMailer | null): Route[] {
  const { engine } = ctx;
  return [
    {
      name: 'console.sign-in.link', method: 'GET', path: LINK,
      handler: ctx.guard('console.sign-in.link', async (_req, res, m) => {
        try {
          sendConsolePage(res, 200, renderSignInConfirm(await engine.inspectSignInLink(m[1]!)));
        } catch (e) {
          if (!isDomainError(e)) throw e;
          sendConsolePage(res, consoleStatus(e.code), renderSignInRefused(e.code, e.message));
        }
      }),
    },
    {
      name: 'console.sign-in.use', method: 'POST', path: LINK,
      handler: ctx.guard('console.sign-in.use', async (req, res, m) => {
        req.resume();
        if (isCrossSitePost(req, ctx.site)) throw new PageFault(403, 'cross_site_request', 'Sign in from the link\'s own page.');
        try {
          const { cookie } = await engine.redeemSignInLink(m[1]!);
          // A step-up link names the request page to open (`?next=`); otherwise the page remembered before sign-in.
          const next = safeConsolePath(queryOf(req).get('next')) ?? safeConsolePath(cookieOf(req, ctx.cookies.next)) ?? '/console/';
          redirect(res, `${ctx.site.basePath}${next}`, { 'set-cookie': [ctx.cookies.setSession(cookie), ctx.cookies.clearNext()] });
        } catch (e) {
          if (!isDomainError(e)) throw e;
          sendConsolePage(res, consoleStatus(e.code), renderSignInRefused(e.code, e.message));
        }
      }),
    },
    {
      name: 'console.sign-in.email', method: 'POST', path: /^\/console\/sign-in$/,
      handler: ctx.guard('console.sign-in.email', async (req, res) => {
        if (isCrossSitePost(req, ctx.site)) throw new PageFault(403, 'cross_site_request', 'Use the form on the sign-in page.');
        if (!mailer) throw new PageFault(404, 'not_found', 'Sign-in by e-mail needs SMTP; ask dualkey for a link in chat.');
        const email = (( await readConsoleForm(req)).get('email') ?? '').trim().toLowerCase().slice(0, 320);
        // Answer at once and the same way whoever asks: the reply must not reveal whether the address is an admin.
        sendConsolePage(res, 200, renderLinkSent());
        if (!/^[^\s@]+@[^\s@]+$/.test(email)) return;
        void (async () => {
          for (const admin of await adminsWithEmail(engine, email)) {
            const { token, expiresAt } = await engine.issueSignInLink(admin, 'email');
            await mailer(admin.email, `${publicUrl().replace(/\/$/, '')}/console/sign-in/${token}`, expiresAt);
          }
        })().catch((e: unknown) => engine.deps.logger.warn('console: sign-in e-mail failed', { error: e instanceof Error ? e.name : 'non-error thrown' }));
      }),
    },
  ];
}
