import { DomainError } from '../errors.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Checks an offline-hook URL: https, or http only to this host's loopback (a receiver next to the
 * database); no credentials in it (the URL is shown, audited and alerted), no fragment, at most 2048 characters.
 */
export function checkHookUrl(text: string): string {
  const refuse = (why: string) => new DomainError('hook_url_invalid', `The offline hook URL ${why}. Give an https:// URL (http:// only to 127.0.0.1 or localhost), or "none" to remove the hook.`);
  if (text.length > 2048) throw refuse('is longer than 2048 characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw refuse(url.protocol === 'http:' ? 'uses http to another host than 127.0.0.1 or localhost: the events would travel unencrypted' : `uses ${url.protocol}`);
  }
  if (url.username || url.password) throw refuse('contains a user name or password: the hook authenticates dualkey with its signature, and URLs are shown in alerts');
  if (url.hash) throw refuse('has a #fragment');
  return url.toString();
}
