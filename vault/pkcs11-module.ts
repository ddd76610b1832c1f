import pkcs11js from 'pkcs11js';
import type * as P11 from 'pkcs11js';

/** The subset of pkcs11js's PKCS11 object the adapter calls (tests hand in a recording wrapper). */
export type Pkcs11Api = P11.PKCS11;

interface Loaded {
  api: Pkcs11Api;
  initArgs: string | undefined;
  users: number;
}

/** One C_Initialize per module per process: PKCS#11 modules refuse a second one (CKR_CRYPTOKI_ALREADY_INITIALIZED). */
const loaded = new Map<string, Loaded>();

/** A reference to a loaded, initialised module; `release` finalises it when the last user lets go. */
export interface ModuleLease {
  api: Pkcs11Api;
  release(): void;
}

/**
 * Loads and initialises a PKCS#11 module once per process and shares it between vault instances.
 * `initArgs` are the library parameters some modules need at C_Initialize (NSS softokn: `configdir='sql:…'`).
 */
export function acquireModule(modulePath: string, initArgs: string | undefined): ModuleLease {
  let entry = loaded.get(modulePath);
  if (entry && entry.initArgs !== initArgs) {
    throw new Error(`PKCS#11 module ${modulePath} is already initialised in this process with other PKCS11_INIT_ARGS; one process uses one configuration of a module`);
  }
  if (!entry) {
    const api = new pkcs11js.PKCS11();
    try {
      api.load(modulePath);
    } catch (e) {
      throw new Error(`PKCS11_MODULE ${modulePath} cannot be loaded (${(e as Error).message}); set it to the token's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so`);
    }
    try {
      // OS locking: pkcs11js runs the async calls (key generation) on worker threads.
      api.C_Initialize(initArgs ? { libraryParameters: initArgs, flags: pkcs11js.CKF_OS_LOCKING_OK } : { flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (e) {
      if ((e as { code?: number }).code !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        throw new Error(`PKCS#11 module ${modulePath} refused C_Initialize (${(e as Error).message}); check PKCS11_INIT_ARGS (NSS softokn needs configdir='sql:<dir>' …)`);
      }
    }
    entry = { api, initArgs, users: 0 };
    loaded.set(modulePath, entry);
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    api: held.api,
    release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users === 0) {
        loaded.delete(modulePath);
        try {
          held.api.C_Finalize();
        } catch {
          // Finalising is best effort at shutdown.
        }
      }
    },
  };
}
