import type { Admin } from '../../../core/model/admin.js';
import type { PageToken } from '../../../core/model/page-token.js';
import type { KekInfo } from '../../../core/setup/ensure-kek.js';
import type { WebAuthnOptionsJson } from '../../../core/ports/webauthn.js';

/** A refusal shown above a re-rendered form (never with anything the user typed). */
export interface PageNotice {
  code: string;
  message: string;
  /** Attempts left on the link when the refusal counted against it. */
  attemptsLeft: number | null;
}

/** What a form page shows: the link's admin, operation and instance, the CSRF value, and for uploads the tenant KEK. */
export interface FormView {
  /** The link token as in the URL (relative links such as `<token>/kek.pem` need it). */
  token: string;
  page: PageToken;
  admin: Admin;
  csrf: string;
  kek: KekInfo | null;
  notice: PageNotice | null;
  /** Passkey options when the tenant requires step-up for this page's operation (unlock). */
  stepUp?: WebAuthnOptionsJson | null;
}
