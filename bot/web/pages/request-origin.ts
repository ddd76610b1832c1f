import type { IncomingMessage } from 'node:http';
import type { PagesSite } from './pages-site.js';

/** True for a post from another site: Sec-Fetch-Site not same-origin/none, Origin `null`, or an Origin neither PUBLIC_URL's nor the request Host's. */
export function isCrossSitePost(req: IncomingMessage, site: PagesSite): boolean {
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (origin === site.origin) return false;
  try {
    const parsed = new URL(origin);
    if (site.secure && parsed.protocol !== 'https:') return true;
    return parsed.origin !== origin || req.headers.host === undefined || parsed.host !== req.headers.host;
  } catch {
    return true;
  }
}
