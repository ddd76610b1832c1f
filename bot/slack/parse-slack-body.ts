/** A request body from Slack as Bolt takes it. */
export type SlackBody = Record<string, unknown>;

/**
 * Parses what Slack posts: form-encoded slash commands (`command=…&text=…`), form-encoded
 * interactivity (`payload=<JSON>`), and JSON Events API bodies (`event_callback`, `url_verification`).
 * Null when the body is not one of these.
 */
export function parseSlackBody(contentType: string | undefined, raw: Buffer): SlackBody | null {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  const text = raw.toString('utf8');
  try {
    if (type === 'application/json') {
      const body: unknown = JSON.parse(text);
      return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as SlackBody) : null;
    }
    if (type === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(text);
      const payload = form.get('payload');
      if (payload !== null) {
        const body: unknown = JSON.parse(payload);
        return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as SlackBody) : null;
      }
      return Object.fromEntries(form);
    }
  } catch {
    return null;
  }
  return null;
}
