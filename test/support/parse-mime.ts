/** A message as the fake SMTP server parsed it: headers (lower-case names, unfolded, encoded words decoded) and its text parts. */
export interface ParsedMime {
  headers: Map<string, string>;
  text: string | null;
  html: string | null;
}

/**
 * A minimal RFC 5322 / MIME reader for what nodemailer writes: folded headers, RFC 2047 encoded words,
 * multipart bodies (nested), and quoted-printable, base64, 7bit or 8bit text parts in UTF-8.
 */
export function parseMime(raw: string): ParsedMime {
  const { headers, body } = splitEntity(raw.replace(/\r\n/g, '\n'));
  const out: ParsedMime = { headers, text: null, html: null };
  collectParts(headers, body, out);
  return out;
}

function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const end = entity.indexOf('\n\n');
  const head = end < 0 ? entity : entity.slice(0, end);
  const body = end < 0 ? '' : entity.slice(end + 2);
  const headers = new Map<string, string>();
  // A line starting with white space continues the previous header (folding).
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function collectParts(headers: Map<string, string>, body: string, out: ParsedMime): void {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
    if (!boundary) return;
    const sections = body.split(new RegExp(`^--${escapeRegExp(boundary)}(?:--)?[ \\t]*$`, 'm'));
    // The preamble comes before the first delimiter, the epilogue after the closing one.
    for (const section of sections.slice(1, -1)) {
      const part = splitEntity(section.replace(/^\n/, '').replace(/\n$/, ''));
      collectParts(part.headers, part.body, out);
    }
    return;
  }
  const decoded = decodeBody(body, headers.get('content-transfer-encoding') ?? '7bit');
  if (type.startsWith('text/plain') && out.text === null) out.text = decoded;
  else if (type.startsWith('text/html') && out.html === null) out.html = decoded;
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body).toString('utf8');
    default:
      return body;
  }
}

function decodeQuotedPrintable(text: string): Buffer {
  // Soft line breaks ("=" at the end of a line) join lines; =XX is one byte.
  const joined = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const ch = joined[i]!;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Decodes `=?UTF-8?Q?…?=` and `=?UTF-8?B?…?=` words; white space between two encoded words is dropped (RFC 2047 §6.2). */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?]+\?[QqBb]\?[^?]*\?=)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
