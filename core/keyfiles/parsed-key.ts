/** A validated private key from a key file: RSA, 2048 bits or more. Holds secret bytes: never log or persist it. */
export interface ParsedKey {
  keyType: 'rsa';
  bits: number;
  /** `sha256:` + base64url (no padding) of SHA-256 over the SPKI DER. */
  fingerprint: string;
  /** The public key, SubjectPublicKeyInfo DER. */
  publicKeySpki: Buffer;
  /** The private key, canonical PKCS#8 PrivateKeyInfo DER (unencrypted: hand it to the vault only). */
  privateKeyPkcs8: Buffer;
}
