/** One response of the pages, kept whole so a test can check every header and body it ever received. */
export interface PageResponse {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  /** The CSRF cookie as a Cookie header value (`name=value`), when the response set one. */
  cookie: string | null;
  /** The hidden CSRF field of a rendered form. */
  csrf: string | null;
}

/** A file part of a form post. */
export interface FilePart {
  file: Buffer;
  name: string;
}

/** What a submit sends besides the fields: the cookie and hidden field of an earlier page view, and extra headers. */
export interface SubmitOptions {
  cookie?: string | null;
  csrf?: string | null;
  headers?: Record<string, string>;
}

/**
 * A browser-like client of the one-time pages over real HTTP (fetch): opens a page, keeps its CSRF cookie and
 * hidden field, posts multipart forms, and records every response for the suite's global header and leak checks.
 */
export class PagesClient {
  readonly responses: PageResponse[] = [];

  constructor(private readonly base: string) {}

  /** GET /pages/{token} (or a sub-path such as `/kek.pem`). */
  async open(token: string, sub = '', headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.record('GET', `/pages/${token}${sub}`, await fetch(`${this.base}/pages/${token}${sub}`, { headers }));
  }

  /** POST /pages/{token} with the given fields, cookie and hidden CSRF field. */
  async submit(token: string, fields: Record<string, string | FilePart>, opts: SubmitOptions = {}): Promise<PageResponse> {
    const form = new FormData();
    if (opts.csrf) form.set('csrf', opts.csrf);
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string') form.set(k, v);
      else form.set(k, new Blob([new Uint8Array(v.file)], { type: 'application/octet-stream' }), v.name);
    }
    const headers: Record<string, string> = { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers };
    return this.record('POST', `/pages/${token}`, await fetch(`${this.base}/pages/${token}`, { method: 'POST', body: form, headers }));
  }

  /** Opens the page and submits its form as a browser would (same cookie, same hidden field, same-origin). */
  async complete(token: string, fields: Record<string, string | FilePart>, headers: Record<string, string> = {}): Promise<PageResponse> {
    const page = await this.open(token);
    if (page.status !== 200) throw new Error(`page ${token.slice(0, 6)}… answered ${page.status}: ${page.text.slice(0, 300)}`);
    return this.submit(token, fields, { cookie: page.cookie, csrf: page.csrf, headers: { origin: this.base, 'sec-fetch-site': 'same-origin', ...headers } });
  }

  /** A raw request to a page path (bodies the form helpers cannot make). */
  async raw(method: string, token: string, init: RequestInit = {}): Promise<PageResponse> {
    return this.record(method, `/pages/${token}`, await fetch(`${this.base}/pages/${token}`, { ...init, method }));
  }

  private async record(method: string, path: string, res: Response): Promise<PageResponse> {
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    const set = res.headers.getSetCookie().find((c) => /^(__Secure-)?dualkey-csrf=/.test(c)) ?? null;
    const r: PageResponse = {
      method, path, status: res.status, headers: res.headers, bytes, text,
      cookie: set ? set.split(';')[0]! : null,
      csrf: /name="csrf" value="([^"]*)"/.exec(text)?.[1] ?? null,
    };
    this.responses.push(r);
    return r;
  }
}

/** The refusal code a page shows (`<code>…</code>` in its alert box), or null. */
export function shownCode(r: PageResponse): string | null {
  return /role="alert"><p><strong>(?:Refused \()?<code>([a-z_]+)<\/code>/.exec(r.text)?.[1] ?? null;
}
