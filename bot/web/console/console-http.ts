import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SafeHtml } from '../pages/html.js';

/** Headers on every console response: strict CSP (no script at all, styles only from the console's own file), no caching, no framing, no Referer. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Sends a console page with the security headers. */
export function sendConsolePage(res: ServerResponse, status: number, body: SafeHtml, extra: Record<string, string | string[]> = {}): void {
  const text = `<!doctype html>\n${body.value}`;
  res.writeHead(status, { ...CONSOLE_SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

/** Post/Redirect/Get: a 303 to a console path (always a relative, same-site location). */
export function redirect(res: ServerResponse, location: string, extra: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...CONSOLE_SECURITY_HEADERS, location, 'content-length': 0, ...extra });
  res.end();
}

/** The query string of a request. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/** One cookie of the request, or null. */
export function cookieOf(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
