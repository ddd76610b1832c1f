import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHookSecret, sealHookSecret, type SealedHookSecret } from '../../../core/hooks/hook-secret.js';
import { cryptoRandom } from '../../../bot/runtime/crypto-random.js';
import { createHarness, type Harness } from '../../support/engine-harness.js';

describe('offline-hook secret sealing', () => {
  let h: Harness;
  let sealed: SealedHookSecret;
  const secret = randomBytes(32);
  const deps = () => ({ vault: h.vault, random: cryptoRandom });
  beforeAll(async () => {
    h = await createHarness();
    sealed = await sealHookSecret(deps(), 'inst_1', 'https://hooks.example/offline', secret);
  });
  afterAll(() => h.dispose());

  it('opens what it sealed for the same instance and URL, and nothing else', async () => {
    expect((await openHookSecret(deps(), 'inst_1', 'https://hooks.example/offline', sealed)).equals(secret)).toBe(true);
    await expect(openHookSecret(deps(), 'inst_2', 'https://hooks.example/offline', sealed)).rejects.toThrow();
    await expect(openHookSecret(deps(), 'inst_1', 'https://evil.example/offline', sealed)).rejects.toThrow();
  });

  it('refuses a sealed secret whose tag a database writer truncated, though GCM alone would verify it', async () => {
    const truncated = { ...sealed, secretTag: sealed.secretTag.subarray(0, 4) };
    await expect(openHookSecret(deps(), 'inst_1', 'https://hooks.example/offline', truncated)).rejects.toThrow(/authentication tag length/i);
  });
});
