import type { IncomingMessage } from 'node:http';
import { readBody } from '../read-body.js';
import { PageFault } from '../pages/page-fault.js';

/** Console forms carry no files (key files go through the one-time pages): a small cap is enough. */
const MAX_CONSOLE_FORM_BYTES = 16 * 1024;

/** Reads an url-encoded console form under a size cap. */
export async function readConsoleForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    req.resume();
    throw new PageFault(415, 'unsupported_media_type', 'Submit the form from the console page.');
  }
  const raw = await readBody(req, MAX_CONSOLE_FORM_BYTES, () => new PageFault(413, 'body_too_large', 'The form is too large.'));
  return new URLSearchParams(raw.toString('utf8'));
}
