import { randomUUID } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type * as P11 from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Vault } from '../../../vault/pkcs11-vault.js';
import { createNssToken, pkcs11TokensAvailable, type TestToken } from '../../support/pkcs11-tokens.js';

describe.skipIf(!pkcs11TokensAvailable())('PKCS#11 session pool', () => {
  let token: TestToken;
  let api: P11.PKCS11;

  beforeAll(() => {
    token = createNssToken();
    api = new pkcs11js.PKCS11();
    api.load(token.config.modulePath);
    api.C_Initialize({ libraryParameters: token.config.initArgs! });
  });
  afterAll(() => {
    api?.C_Finalize();
    token?.dispose();
  });

  it('runs at most PKCS11_SESSIONS operations at once, never two on one session', async () => {
    const opened: string[] = [];
    const busy = new Set<string>();
    let overlap = 0;
    let parallel = 0;
    const watched = new Proxy(api, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'C_OpenSession') {
          return (...args: unknown[]) => {
            const s = (value as (...a: unknown[]) => Buffer).apply(target, args);
            opened.push(s.toString('hex'));
            return s;
          };
        }
        if (prop === 'C_GenerateKeyPairAsync') {
          // Key generation runs on a worker thread: the one call here that holds a session across an await.
          return async (...args: unknown[]) => {
            const s = (args[0] as Buffer).toString('hex');
            if (busy.has(s)) overlap += 1;
            busy.add(s);
            parallel = Math.max(parallel, busy.size);
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            } finally {
              busy.delete(s);
            }
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    const vault = await Pkcs11Vault.open({ ...token.config, sessions: 2 }, { api: watched });
    try {
      const spkis = await Promise.all(Array.from({ length: 6 }, () => vault.generateKey(`pool-${randomUUID()}`)));
      expect(new Set(spkis.map((k) => k.toString('hex'))).size).toBe(6);
      expect(opened.length).toBe(2);
      expect(overlap).toBe(0);
      expect(parallel).toBe(2);
    } finally {
      vault.close();
    }
  });
});
