/** One response of the console, kept whole for header checks. */
export interface ConsoleResponse {
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A cookie-keeping HTTP client of the web console (no browser): signs in with a one-time link, keeps the session
 * cookie, reads the form token of the last page, and records every response.
 */
export class ConsoleClient {
  readonly responses: ConsoleResponse[] = [];
  cookie: string | null = null;
  setCookie: string | null = null;

  constructor(private readonly base: string) {}

  /** The session's form token, as the last page carried it. */
  csrf(): string | null {
    for (let i = this.responses.length - 1; i >= 0; i--) {
      const m = /name="csrf" value="([^"]*)"/.exec(this.responses[i]!.text);
      if (m) return m[1]!;
    }
    return null;
  }

  /** Uses a sign-in link as a browser would (same-origin POST from the link's page). */
  async signIn(token: string): Promise<ConsoleResponse> {
    const r = await this.request('POST', `/console/sign-in/${token}`, { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.base, 'sec-fetch-site': 'same-origin' } });
    const set = r.headers.getSetCookie().find((c) => /dualkey-session=/.test(c));
    if (set) {
      this.setCookie = set;
      this.cookie = set.split(';')[0]!;
    }
    return r;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<ConsoleResponse> {
    return this.request('GET', path, { headers });
  }

  /** Posts a form; `csrf` defaults to the last page's token, and the request is same-origin unless `headers` say otherwise. */
  async post(path: string, fields: Record<string, string>, opts: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<ConsoleResponse> {
    const csrf = opts.csrf === undefined ? this.csrf() : opts.csrf;
    const body = new URLSearchParams({ ...(csrf ? { csrf } : {}), ...fields }).toString();
    return this.request('POST', path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.base, 'sec-fetch-site': 'same-origin', ...opts.headers } });
  }

  private async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> }): Promise<ConsoleResponse> {
    const headers: Record<string, string> = { ...(this.cookie ? { cookie: this.cookie } : {}), ...init.headers };
    const res = await fetch(`${this.base}${path}`, { method, headers, redirect: 'manual', ...(init.body !== undefined ? { body: init.body } : {}) });
    const r: ConsoleResponse = { path, status: res.status, headers: res.headers, text: await res.text() };
    this.responses.push(r);
    return r;
  }
}

/** The refusal code a console page shows, or null. */
export function consoleCode(r: ConsoleResponse): string | null {
  return /Refused \(<code>([a-z_]+)<\/code>\)/.exec(r.text)?.[1] ?? null;
}

/** The options JSON a ceremony page carries. */
export function ceremonyOptions(r: ConsoleResponse): { challenge: string; rp: { id: string }; rpId: string; authenticatorSelection?: { userVerification?: string } } {
  const m = /<script type="application\/json" id="webauthn-options">(.*?)<\/script>/s.exec(r.text);
  if (!m) throw new Error(`no ceremony on ${r.path} (${r.status}): ${r.text.slice(0, 300)}`);
  return JSON.parse(m[1]!);
}
