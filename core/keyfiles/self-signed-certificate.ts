import { sign, type KeyObject } from 'node:crypto';
import type Forge from 'node-forge';
import { TAG } from './asn1-tags.js';
import { forge } from './forge.js';
import { der } from './asn1-build.js';
import { OID } from './oids.js';

/** Certificate lifetime: the key protects data, not TLS, so expiry is informational; two years as exporters default. */
const VALIDITY_YEARS = 2;

/** Builds a self-signed X.509 v3 certificate (SHA256withRSA, signed by node's crypto) for an RSA key pair; returns DER. */
export function selfSignedCertificate(opts: {
  commonName: string; now: Date; serialNumber: Buffer; publicKeySpki: Buffer; privateKey: KeyObject;
}): Buffer {
  const cert = forge().pki.createCertificate();
  cert.publicKey = forge().pki.publicKeyFromAsn1(der.decode(opts.publicKeySpki));
  cert.serialNumber = positiveSerialHex(opts.serialNumber);
  cert.validity.notBefore = new Date(opts.now.getTime());
  const notAfter = new Date(opts.now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  cert.validity.notAfter = notAfter;
  // UTF8String, not forge's default PrintableString, so any instance name is a valid CN (max 64 chars by X.520).
  const name = [{ name: 'commonName', value: Array.from(opts.commonName).slice(0, 64).join(''), valueTagClass: TAG.UTF8 as unknown as Forge.asn1.Class }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true, dataEncipherment: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.signatureOid = OID.sha256WithRsaEncryption;
  cert.siginfo.algorithmOid = OID.sha256WithRsaEncryption;
  // forge would sign in pure JS; node signs the TBSCertificate natively and we assemble the Certificate.
  const tbs = (forge().pki as unknown as { getTBSCertificate(c: Forge.pki.Certificate): Forge.asn1.Asn1 }).getTBSCertificate(cert);
  const signature = sign('sha256', der.encode(tbs), opts.privateKey);
  return der.encode(der.seq(tbs, der.seq(der.oid(OID.sha256WithRsaEncryption), der.nul()), der.bits(signature)));
}

/**
 * RFC 5280 serial: a positive INTEGER of at most 20 octets. Clearing the top bit (as OpenSSL does for
 * random serials) keeps it positive without a 0x00 prefix, so any 20 random bytes fit.
 */
function positiveSerialHex(bytes: Buffer): string {
  const magnitude = Buffer.from(bytes);
  if (magnitude.length > 0) magnitude[0] = (magnitude[0] as number) & 0x7f;
  const first = magnitude.findIndex((b) => b !== 0);
  if (magnitude.length > 20 || first === -1) {
    // Caller bug (serials come from the injected Random): not a user refusal.
    throw new RangeError('serialNumber must be 1 to 20 bytes, not all zero once its top bit is cleared');
  }
  return magnitude.subarray(first).toString('hex');
}
