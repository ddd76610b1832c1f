import type { PagesSite } from '../pages/pages-site.js';
import { SESSION_ABSOLUTE_MS } from '../../../core/console/console-auth.js';

/** The console's cookies: the session (HttpOnly, SameSite=Strict, Secure unless localhost) and where to go after sign-in. */
export class ConsoleCookies {
  readonly session: string;
  readonly next: string;
  private readonly path: string;

  constructor(private readonly site: PagesSite) {
    // `__Host-` needs Path=/ and Secure; under a PUBLIC_URL path prefix `__Secure-` is the strongest prefix left.
    const prefix = site.secure ? (site.basePath === '' ? '__Host-' : '__Secure-') : '';
    this.session = `${prefix}dualkey-session`;
    this.next = `${prefix}dualkey-next`;
    this.path = site.basePath === '' ? '/' : `${site.basePath}/`;
  }

  private attrs(name: string, value: string, maxAgeSeconds: number, sameSite: 'Strict' | 'Lax'): string {
    const a = [`${name}=${value}`, `Path=${this.path}`, `Max-Age=${Math.max(0, Math.ceil(maxAgeSeconds))}`, 'HttpOnly', `SameSite=${sameSite}`];
    if (this.site.secure) a.push('Secure');
    return a.join('; ');
  }

  /** Sets the session cookie; the server-side row decides how long it is honoured (idle 30 min, absolute 12 h). */
  setSession(value: string): string {
    return this.attrs(this.session, value, SESSION_ABSOLUTE_MS / 1000, 'Strict');
  }

  clearSession(): string {
    return this.attrs(this.session, '', 0, 'Strict');
  }

  /** Remembers a console path to open after sign-in (Lax: it is set when arriving from an e-mail link). */
  setNext(path: string): string {
    return this.attrs(this.next, encodeURIComponent(path), 15 * 60, 'Lax');
  }

  clearNext(): string {
    return this.attrs(this.next, '', 0, 'Lax');
  }
}

/** Only console paths are remembered or redirected to (never another site). */
export function safeConsolePath(path: string | null | undefined): string | null {
  if (!path) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  return /^\/console\/[A-Za-z0-9/_.?=&%-]*$/.test(decoded) && !decoded.includes('//') && !decoded.startsWith('/console/sign-') ? decoded : null;
}
