import type { IncomingMessage } from 'node:http';
import { readBody } from '../read-body.js';
import { PageFault } from './page-fault.js';

/** Largest form post accepted: a 64 KiB key file plus fields and multipart framing, with room to spare. */
export const MAX_PAGE_BODY_BYTES = 128 * 1024;

const FORM_TYPES = /^(multipart\/form-data|application\/x-www-form-urlencoded)\s*(;|$)/i;

/** Reads a form post under a size cap and parses it with Node's fetch primitives; the caller zeroes `raw` (password, key file) after use. */
export async function readPageForm(req: IncomingMessage, maxBytes = MAX_PAGE_BODY_BYTES): Promise<{ form: FormData; raw: Buffer }> {
  const type = req.headers['content-type'] ?? '';
  if (!FORM_TYPES.test(type)) {
    req.resume();
    throw new PageFault(415, 'unsupported_media_type', 'Submit the form from the page (multipart/form-data).');
  }
  const raw = await readBody(req, maxBytes, () => new PageFault(413, 'body_too_large', `The upload exceeds ${maxBytes / 1024} KiB. Key files are at most 64 KiB: check that you chose the right file.`));
  try {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    return { form, raw };
  } catch {
    raw.fill(0);
    throw new PageFault(400, 'invalid_form', 'The form could not be read. Reload the page from the link and submit it again.');
  }
}
