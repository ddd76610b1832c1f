import { readFileSync } from 'node:fs';
import type { Engine } from '../../../core/engine.js';
import type { Config } from '../../runtime/config.js';
import type { Route } from '../route.js';
import { pagesSite } from '../pages/pages-site.js';
import { consoleActionRoutes } from './console-action-routes.js';
import { ConsoleContext } from './console-context.js';
import { CONSOLE_SECURITY_HEADERS, redirect } from './console-http.js';
import { consoleReadRoutes } from './console-read-routes.js';
import { consoleSignInRoutes, type SignInMailer } from './console-sign-in-routes.js';
import { consolePasskeyRoutes } from './console-passkey-routes.js';
import { webauthnAssetRoutes } from './webauthn-assets.js';
import { simpleWebAuthnVerifier } from './webauthn-verifier.js';

const CSS = readFileSync(new URL('./console.css', import.meta.url));

/** Options of the console. */
export interface ConsoleOptions {
  publicUrl: () => string;
  /** Sends sign-in links by e-mail; null without SMTP (the sign-in page then offers chat only). */
  mailer: SignInMailer | null;
}

/** The web console under /console (and `/` redirecting to it): sign-in by one-time link, sessions, pages and actions. */
export function consoleRoutes(engine: Engine, config: Pick<Config, 'PUBLIC_URL' | 'PORT'>, opts: ConsoleOptions): Route[] {
  const site = pagesSite(config);
  const ctx = new ConsoleContext(engine, site, opts.mailer !== null);
  // The relying party is the console's public origin: passkeys registered here work only here.
  const webauthn = simpleWebAuthnVerifier(opts.publicUrl);
  return [
    { name: 'console.root', method: 'GET', path: /^\/$/, handler: async (_req, res) => redirect(res, `${site.basePath}/console/`) },
    {
      name: 'console.css', method: 'GET', path: /^\/console\/console\.css$/,
      handler: async (_req, res) => {
        res.writeHead(200, { ...CONSOLE_SECURITY_HEADERS, 'cache-control': 'public, max-age=3600', 'content-type': 'text/css; charset=utf-8', 'content-length': CSS.length });
        res.end(CSS);
      },
    },
    ...consoleSignInRoutes(ctx, opts.publicUrl, opts.mailer),
    ...consoleReadRoutes(ctx),
    ...consoleActionRoutes(ctx, webauthn),
    ...webauthnAssetRoutes(),
    ...consolePasskeyRoutes(ctx, webauthn),
  ];
}
