import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type AuthenticatorTransport, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { WebAuthnCredential, WebAuthnVerifier } from '../../../core/ports/webauthn.js';

const asTransports = (t: string[]) => t as AuthenticatorTransport[];
const descriptor = (c: WebAuthnCredential) => ({ id: c.credentialId, transports: asTransports(c.transports) });
// Core's challenges are base64url strings; passed as bytes, the options carry exactly that string back.
const bytes = (b64url: string) => new Uint8Array(Buffer.from(b64url, 'base64url'));

/**
 * The WebAuthn port over @simplewebauthn/server, for the relying party the console is served as: its id is
 * the public URL's host name, its origin the public URL's origin (read per call: the port may be known only
 * once the server listens). User verification is required on every ceremony.
 */
export function simpleWebAuthnVerifier(publicUrl: () => string): WebAuthnVerifier {
  const rp = () => {
    const u = new URL(publicUrl());
    return { rpID: u.hostname, origin: u.origin };
  };
  return {
    async registrationOptions(input) {
      return (await generateRegistrationOptions({
        rpName: 'dualkey', rpID: rp().rpID, userName: input.userName, userDisplayName: input.displayName, userID: new TextEncoder().encode(input.userId),
        challenge: bytes(input.challenge), attestationType: 'none', excludeCredentials: input.exclude.map(descriptor),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' }, timeout: 120_000,
      })) as unknown as Record<string, unknown>;
    },
    async verifyRegistration(response, expectedChallenge) {
      try {
        const { rpID, origin } = rp();
        const r = await verifyRegistrationResponse({ response: response as RegistrationResponseJSON, expectedChallenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true });
        if (!r.verified) return null;
        const c = r.registrationInfo.credential;
        return { credentialId: c.id, publicKey: Buffer.from(c.publicKey), counter: c.counter, userVerified: r.registrationInfo.userVerified };
      } catch {
        // A malformed or foreign response is a refusal for core to word, not a fault.
        return null;
      }
    },
    async authenticationOptions(input) {
      return (await generateAuthenticationOptions({ rpID: rp().rpID, challenge: bytes(input.challenge), allowCredentials: input.allow.map(descriptor), userVerification: 'required', timeout: 120_000 })) as unknown as Record<string, unknown>;
    },
    claimsOf(response) {
      try {
        const r = response as { id?: unknown; response?: { clientDataJSON?: unknown } };
        if (typeof r?.id !== 'string' || typeof r.response?.clientDataJSON !== 'string') return null;
        const client = JSON.parse(Buffer.from(r.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
        return typeof client.challenge === 'string' ? { challenge: client.challenge.slice(0, 200), credentialId: r.id.slice(0, 1400) } : null;
      } catch {
        return null;
      }
    },
    async verifyAuthentication(response, expectedChallenge, credential) {
      try {
        const { rpID, origin } = rp();
        const r = await verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON, expectedChallenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
          credential: { id: credential.credentialId, publicKey: new Uint8Array(credential.publicKey), counter: credential.counter, transports: asTransports(credential.transports) },
        });
        return r.verified ? { newCounter: r.authenticationInfo.newCounter, userVerified: r.authenticationInfo.userVerified } : null;
      } catch {
        return null;
      }
    },
  };
}
