import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePfx } from '../../../core/keyfiles/generate-pfx.js';
import { parsePfx } from '../../../core/keyfiles/parse-pfx.js';
import { expectedFingerprint, expectRefusal, thrownBy } from './support.js';

const PASSWORD = 'Tr0ub4dor & 3 — ünïcode';
const NOW = new Date('2030-05-17T12:34:56Z');
const generated = generatePfx({ commonName: 'acme-prod Encryption Key', password: PASSWORD, now: NOW, serialNumber: Buffer.from('ff00000000000000000000000000000000000001', 'hex') });

/**
 * The certificate inside the generated PFX, dug out with forge's ASN.1 decoder (the certificate
 * safe is plain data). forge's own PKCS#12 reader cannot be used: it feeds non-ASCII passwords to
 * PBKDF2 as Latin-1, where OpenSSL (and we) use UTF-8.
 */
function certificateOf(pfx: Buffer): X509Certificate {
  type Node = forge.asn1.Asn1;
  const kids = (n: Node | undefined): Node[] => n!.value as Node[];
  const bytes = (n: Node | undefined): string => n!.value as string;
  const authSafe = forge.asn1.fromDer(bytes(kids(kids(kids(forge.asn1.fromDer(pfx.toString('binary')))[1])[1])[0]));
  const certSafe = forge.asn1.fromDer(bytes(kids(kids(kids(authSafe)[0])[1])[0]));
  const certBag = kids(kids(kids(certSafe)[0])[1])[0];
  return new X509Certificate(Buffer.from(bytes(kids(kids(certBag)[1])[0]), 'binary'));
}

describe('generatePfx', () => {
  it('generates an RSA 2048 key whose fingerprint is node\'s view of the key', () => {
    const { key } = generated;
    expect(key.bits).toBe(2048);
    const spki = createPublicKey(createPrivateKey({ key: key.privateKeyPkcs8, format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
    expect(key.fingerprint).toBe(expectedFingerprint(spki));
  });

  it('writes a PFX that parsePfx opens with the password, to the same key', () => {
    const parsed = parsePfx(generated.pfx, PASSWORD);
    expect(parsed.fingerprint).toBe(generated.key.fingerprint);
    expect(parsed.privateKeyPkcs8.equals(generated.key.privateKeyPkcs8)).toBe(true);
  });

  it('writes a PFX that refuses a wrong password with pfx_bad_password', () => {
    expectRefusal(thrownBy(() => parsePfx(generated.pfx, 'wrong password')), 'pfx_bad_password', ['wrong password', PASSWORD]);
  });

  it('holds a self-signed SHA256withRSA certificate for the key, valid from now for two years, with the given serial made positive', () => {
    const cert = certificateOf(generated.pfx);
    expect(cert.subject).toBe('CN=acme-prod Encryption Key');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(expectedFingerprint(cert.publicKey.export({ type: 'spki', format: 'der' }))).toBe(generated.key.fingerprint);
    expect(new Date(cert.validFrom).toISOString()).toBe('2030-05-17T12:34:56.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2032-05-17T12:34:56.000Z');
    expect(cert.serialNumber).toBe('7F00000000000000000000000000000000000001');
    expect(forge.pki.certificateFromPem(cert.toString()).signatureOid).toBe('1.2.840.113549.1.1.11');
  });

  it('refuses an empty password with pfx_password_required', () => {
    expectRefusal(thrownBy(() => generatePfx({ commonName: 'x', password: '', now: NOW, serialNumber: Buffer.from([1]) })), 'pfx_password_required');
  });
});

const opensslVersion = spawnSync('openssl', ['version'], { encoding: 'utf8' });
const hasOpenssl = opensslVersion.status === 0 && /^OpenSSL 3/.test(opensslVersion.stdout);
const withOpenssl = hasOpenssl ? it : it.skip;

describe(`generatePfx interoperability with the openssl CLI${hasOpenssl ? '' : ' (skipped: OpenSSL 3 `openssl` binary not found)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dualkey-pfx-'));
  const file = join(dir, 'generated.pfx');
  writeFileSync(file, generated.pfx);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The password travels in the environment, not argv, as an operator would pass it.
  const openssl = (...args: string[]) => spawnSync('openssl', args, { encoding: 'utf8', env: { ...process.env, PFX_PASSWORD: PASSWORD } });

  withOpenssl('opens with `openssl pkcs12 -noout` without -legacy', () => {
    const result = openssl('pkcs12', '-in', file, '-passin', 'env:PFX_PASSWORD', '-nodes', '-noout');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
  });

  withOpenssl('shows PBES2/PBKDF2/AES-256-CBC with hmacWithSHA256 and a SHA-256 MAC in `openssl pkcs12 -info`', () => {
    const result = openssl('pkcs12', '-info', '-noout', '-in', file, '-passin', 'env:PFX_PASSWORD');
    const out = `${result.stdout}${result.stderr}`;
    expect(result.status).toBe(0);
    expect(out).toMatch(/MAC: sha256, Iteration 100000/);
    expect(out).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 50000, PRF hmacWithSHA256/);
    expect(out).not.toMatch(/RC2|3DES|TripleDES/i);
  });

  withOpenssl('exports the same private key openssl reads', () => {
    const result = openssl('pkcs12', '-in', file, '-passin', 'env:PFX_PASSWORD', '-nodes', '-nocerts');
    expect(result.status).toBe(0);
    const spki = createPublicKey(result.stdout).export({ type: 'spki', format: 'der' });
    expect(expectedFingerprint(spki)).toBe(generated.key.fingerprint);
  });
});
