import type { Random } from './ports/random.js';

const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A random RFC 4122 version-4 UUID drawn from the injected Random. */
export function newId(random: Random): string {
  const b = random.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A short request id admins can type in chat (`r-` + 10 unambiguous characters, ~50 bits). */
export function newRequestId(random: Random): string {
  const b = random.bytes(10);
  let s = '';
  for (const byte of b) s += BASE32[byte % BASE32.length];
  return `r-${s}`;
}
