import type { ServerResponse } from 'node:http';
import { DomainError, isDomainError } from '../../../core/errors.js';
import type { WebAuthnVerifier } from '../../../core/ports/webauthn.js';
import type { Route } from '../route.js';
import { consoleStatus, type ConsoleContext, type SignedIn } from './console-context.js';
import { queryOf, redirect, sendConsolePage } from './console-http.js';
import { notice } from './console-layout.js';
import { renderPasskeysPage, renderRegisterPasskeyPage } from './passkeys-page.js';
import { CEREMONY_CSP } from './webauthn-assets.js';

const DONE: Record<string, string> = {
  passkey_register: 'Passkey registered. Every admin has been alerted.', passkey_rename: 'Passkey renamed.', passkey_revoke: 'Passkey revoked: it no longer confirms anything. Every admin has been alerted.',
};

/** Parses the response field the ceremony script fills; anything but a JSON object is no response. */
function parseResponse(text: string | null): unknown {
  try {
    const v: unknown = JSON.parse((text ?? '').slice(0, 64 * 1024));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

/** The Passkeys page (GET) and its actions (POST: begin and finish a registration, rename, revoke). */
export function consolePasskeyRoutes(ctx: ConsoleContext, webauthn: WebAuthnVerifier): Route[] {
  const { engine } = ctx;
  const list = async (res: ServerResponse, s: SignedIn, banner: ReturnType<typeof notice> | null, status = 200) =>
    sendConsolePage(res, status, renderPasskeysPage(s.viewer, await engine.listPasskeys(s.admin.id), banner));
  return [
    {
      name: 'console.passkeys', method: 'GET', path: /^\/console\/passkeys$/,
      handler: ctx.guard('console.passkeys', ctx.page(async (req, res, _m, s) => {
        const done = DONE[queryOf(req).get('done') ?? ''];
        await list(res, s, done ? notice('ok', done) : null);
      })),
    },
    {
      name: 'console.passkeys.action', method: 'POST', path: /^\/console\/passkeys$/,
      handler: ctx.guard('console.passkeys.action', ctx.action(async (_req, res, _m, s, form) => {
        const op = form.get('op');
        try {
          if (op === 'begin') {
            const options = await engine.beginPasskeyRegistration(webauthn, s.actor);
            const name = (form.get('name') ?? '').trim().slice(0, 200);
            return sendConsolePage(res, 200, renderRegisterPasskeyPage(s.viewer, name || 'Passkey', options), CEREMONY_CSP);
          }
          if (op === 'finish') {
            await engine.finishPasskeyRegistration(webauthn, s.actor, parseResponse(form.get('response')), form.get('name'));
            return redirect(res, '/console/passkeys?done=passkey_register');
          }
          if (op === 'rename') {
            await engine.renamePasskey(s.actor, (form.get('id') ?? '').trim(), form.get('name') ?? '');
            return redirect(res, '/console/passkeys?done=passkey_rename');
          }
          if (op === 'revoke') {
            await engine.revokePasskey(s.actor, (form.get('id') ?? '').trim());
            return redirect(res, '/console/passkeys?done=passkey_revoke');
          }
          throw new DomainError('invalid_input', 'Choose register, rename or revoke.');
        } catch (e) {
          if (!isDomainError(e)) throw e;
          await list(res, s, notice('bad', e.message, e.code), consoleStatus(e.code));
        }
      })),
    },
  ];
}
