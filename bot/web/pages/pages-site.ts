import { ConfigError, publicUrlOf, type Config } from '../../runtime/config.js';

/** Where the one-time pages are reached from the outside, as PUBLIC_URL says. */
export interface PagesSite {
  /** The public origin, e.g. `https://dualkey.example.com`; form posts must come from it (or from the Host they were sent to). */
  origin: string;
  /** The path PUBLIC_URL mounts dualkey under ('' at the root), so cookies are scoped to the page path users see. */
  basePath: string;
  /** https: cookies get `Secure` and the `__Secure-` prefix. */
  secure: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Reads PUBLIC_URL (unset: `http://localhost:<PORT>`) and refuses, as loadConfig does, plain http except on localhost / 127.0.0.1 / [::1]. */
export function pagesSite(config: Pick<Config, 'PUBLIC_URL' | 'PORT'>): PagesSite {
  const raw = publicUrlOf(config);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL must be the https:// URL where dualkey is reachable, e.g. https://dualkey.example.com');
  }
  const local = url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !local) {
    throw new ConfigError(
      `Invalid configuration:\n  PUBLIC_URL must be an https:// URL (it is ${url.protocol}//${url.host}): the one-time pages carry passwords and key files. ` +
        'Plain http:// is accepted only for localhost, 127.0.0.1 or [::1]. Set PUBLIC_URL=https://<your host> (TLS may end at a reverse proxy in front of dualkey).',
    );
  }
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), secure: url.protocol === 'https:' };
}
