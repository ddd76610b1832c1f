import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CryptographyClient } from '@azure/keyvault-keys';
import { azureCredential } from '../vault/azure/azure-credential.js';
import { startAzureFake } from '../test/support/azure-fake-adapter.js';
import { localTls } from '../test/support/fake-azure-tls.js';
import { fixture } from '../test/support/key-fixtures.js';
import { median, type BenchRow } from './bench-row.js';

/** Unwrap latency of the Azure adapter vs a bare SDK CryptographyClient.unwrapKey, both against the fake Key Vault. */
export async function benchAzureVault(): Promise<BenchRow[]> {
  const world = await startAzureFake();
  try {
    const vault = world.open();
    const keyId = `bench-${randomBytes(4).toString('hex')}`;
    await vault.importKey(keyId, fixture('rsa-2048.key.der'));
    const spki = (await vault.publicKey(keyId))!;
    const wrapped = publicEncrypt({ key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
    const tlsCa = localTls().certPem;
    const credential = azureCredential({ tenantId: world.tokens.tenantId, clientId: world.tokens.clientId, clientSecret: world.tokens.clientSecret, authorityHost: world.tokens.url, tlsCa });
    const bare = new CryptographyClient(`${world.keyVault.url}/keys/${keyId}`, credential, { tlsOptions: { ca: tlsCa }, disableChallengeResourceVerification: true });
    const adapter = () => vault.unwrapDek(keyId, wrapped);
    const sdk = () => bare.unwrapKey('RSA-OAEP-256', wrapped);
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    // Warm-up: challenge, token and key fetch happen once per client.
    for (let i = 0; i < 20; i++) await Promise.all([adapter(), sdk()]).catch(() => undefined);
    const a: number[] = [];
    const b: number[] = [];
    // Interleaved, alternating which goes first, so both see the same machine load.
    for (let i = 0; i < 500; i++) {
      if (i % 2) {
        a.push(await time(adapter));
        b.push(await time(sdk));
      } else {
        b.push(await time(sdk));
        a.push(await time(adapter));
      }
    }
    return [{ name: 'azure unwrap latency: adapter vs bare SDK CryptographyClient.unwrapKey (fake Key Vault)', dualkey: median(a), baseline: median(b), unit: 'ms', lowerIsBetter: true, target: { kind: 'ratio_at_most', value: 1.2 } }];
  } finally {
    await world.close();
  }
}
