import type { ServerResponse } from 'node:http';
import type { SafeHtml } from './html.js';

/** Headers on every page response: no caching, no scripts or framing, forms post back here only, no Referer to other sites (the token is in the URL; same-origin so browsers send a real Origin on form posts). */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** The CSP of a page that runs a passkey ceremony (unlock under step-up): the console's own two scripts, nothing inline. */
export const PAGE_CEREMONY_CSP = { 'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" };

/** Sends an HTML page with the security headers; `extra` may add e.g. `set-cookie`. */
export function sendPage(res: ServerResponse, status: number, body: SafeHtml, extra: Record<string, string | string[]> = {}): void {
  const text = `<!doctype html>\n${body.value}`;
  res.writeHead(status, { ...PAGE_SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

/** Sends a file the browser must save (never display), with the security headers. */
export function sendDownload(res: ServerResponse, bytes: Buffer, contentType: string, filename: string, extra: Record<string, string | string[]> = {}): void {
  const safeName = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  res.writeHead(200, {
    ...PAGE_SECURITY_HEADERS,
    'content-type': contentType,
    'content-disposition': `attachment; filename="${safeName}"`,
    'content-length': bytes.length,
    ...extra,
  });
  res.end(bytes);
}
