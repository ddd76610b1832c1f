import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TLS identity for fakes on 127.0.0.1; `certPem` is what a client must trust. */
export interface LocalTls {
  keyPem: string;
  certPem: string;
}

let cached: LocalTls | null = null;

/** A self-signed certificate made by the openssl CLI at test start, with IP SAN 127.0.0.1 (hostname checks pass). */
export function localTls(): LocalTls {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'dualkey-fake-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    cached = { keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), certPem: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
