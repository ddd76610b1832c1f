import type { IncomingMessage } from 'node:http';
import { DomainError } from '../../core/errors.js';

const recordTooLarge = (maxBytes: number) => new DomainError('record_too_large', `The body exceeds ${maxBytes} bytes; records are limited to 1 MiB.`);

/** Reads a request body, refusing (without buffering the rest) anything over `maxBytes` with the caller's error. */
export async function readBody(req: IncomingMessage, maxBytes: number, tooLarge: (maxBytes: number) => Error = recordTooLarge): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
