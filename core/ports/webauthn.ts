/** JSON the browser passes to navigator.credentials.create/get (via @simplewebauthn/browser); opaque to core. */
export type WebAuthnOptionsJson = Record<string, unknown>;

/** A credential as the verifier needs it to check an assertion. */
export interface WebAuthnCredential {
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  transports: string[];
}

/** A verified registration: what to store. */
export interface VerifiedRegistration {
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  userVerified: boolean;
}

/**
 * WebAuthn relying-party verification (the adapter knows the relying party id and origin; core never imports
 * a WebAuthn library). Challenges are made by core from the injected Random; the verifier only checks them.
 * Verification methods return null when the response does not verify (core then refuses with its own code).
 */
export interface WebAuthnVerifier {
  registrationOptions(input: { challenge: string; userId: string; userName: string; displayName: string; exclude: WebAuthnCredential[] }): Promise<WebAuthnOptionsJson>;
  verifyRegistration(response: unknown, expectedChallenge: string): Promise<VerifiedRegistration | null>;
  authenticationOptions(input: { challenge: string; allow: WebAuthnCredential[] }): Promise<WebAuthnOptionsJson>;
  /** The challenge and credential id a response claims (unverified), to find the stored challenge and passkey. */
  claimsOf(response: unknown): { challenge: string; credentialId: string } | null;
  verifyAuthentication(response: unknown, expectedChallenge: string, credential: WebAuthnCredential): Promise<{ newCounter: number; userVerified: boolean } | null>;
}
