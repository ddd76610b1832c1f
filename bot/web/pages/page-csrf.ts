import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PagesSite } from './pages-site.js';

const VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The hidden form field that carries the double-submit value. */
export const CSRF_FIELD = 'csrf';

/** Double-submit CSRF: a random page-path cookie (HttpOnly, SameSite=Strict, `__Secure-` on https) equal to the form's hidden field. */
export class PageCsrf {
  readonly cookieName: string;

  constructor(private readonly site: PagesSite) {
    this.cookieName = site.secure ? '__Secure-dualkey-csrf' : 'dualkey-csrf';
  }

  /** The value to use for a page view: the browser's current one (so two tabs or a reload keep working), or a new one. */
  valueFor(req: IncomingMessage): string {
    return this.fromCookie(req) ?? randomBytes(32).toString('base64url');
  }

  /** The Set-Cookie header for a page; `maxAgeSeconds` 0 deletes the cookie. */
  cookie(token: string, value: string, maxAgeSeconds: number): string {
    const attrs = [`${this.cookieName}=${value}`, `Path=${this.site.basePath}/pages/${token}`, `Max-Age=${Math.max(0, Math.ceil(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Strict'];
    if (this.site.secure) attrs.push('Secure');
    return attrs.join('; ');
  }

  /** True when the posted field equals the cookie (compared in constant time). */
  verify(req: IncomingMessage, field: unknown): boolean {
    const cookie = this.fromCookie(req);
    if (!cookie || typeof field !== 'string' || !VALUE.test(field)) return false;
    return timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
  }

  private fromCookie(req: IncomingMessage): string | null {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName) {
        const value = part.slice(eq + 1).trim();
        return VALUE.test(value) ? value : null;
      }
    }
    return null;
  }
}
