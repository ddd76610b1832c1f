import pkcs11js from 'pkcs11js';
import type { Pkcs11Api } from './pkcs11-module.js';

/** Return codes after which a session is dead and is replaced (token reset, removed, logged out under us). */
const DEAD_SESSION = new Set([
  pkcs11js.CKR_SESSION_HANDLE_INVALID, pkcs11js.CKR_SESSION_CLOSED, pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_TOKEN_NOT_PRESENT, pkcs11js.CKR_USER_NOT_LOGGED_IN, pkcs11js.CKR_DEVICE_ERROR,
]);

/**
 * A small pool of logged-in read/write sessions on one token: each operation holds a session alone
 * (PKCS#11 sessions carry one active operation), up to `size` run at once, the rest wait in order.
 */
export class Pkcs11SessionPool {
  private readonly idle: Buffer[] = [];
  private readonly waiting: { resolve: (session: Buffer) => void; reject: (e: unknown) => void }[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly api: Pkcs11Api,
    private readonly slot: Buffer,
    private readonly pin: string,
    private readonly size: number,
  ) {}

  /** Runs `work` with a session of its own; a session that died under it is replaced and the work retried once. */
  async run<T>(work: (session: Buffer) => T | Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const session = await this.acquire();
      try {
        const result = await work(session);
        this.release(session);
        return result;
      } catch (e) {
        if (DEAD_SESSION.has((e as { code?: number }).code ?? -1)) {
          this.discard(session);
          if (attempt === 0) continue;
        } else {
          this.release(session);
        }
        throw e;
      }
    }
  }

  /** Closes every session; later calls fail. */
  close(): void {
    this.closed = true;
    for (const s of this.idle.splice(0)) this.closeQuietly(s);
    for (const w of this.waiting.splice(0)) w.reject(new Error('the PKCS#11 vault is closed'));
  }

  private async acquire(): Promise<Buffer> {
    if (this.closed) throw new Error('the PKCS#11 vault is closed');
    const ready = this.idle.pop();
    if (ready) return ready;
    if (this.open < this.size) return this.openSession();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(session: Buffer): void {
    const next = this.waiting.shift();
    if (next) next.resolve(session);
    else if (this.closed) this.closeQuietly(session);
    else this.idle.push(session);
  }

  private discard(session: Buffer): void {
    this.open -= 1;
    this.closeQuietly(session);
    const next = this.waiting.shift();
    if (!next) return;
    // A waiter gets a fresh session in place of the dead one, or the reason there is none.
    try {
      next.resolve(this.openSession());
    } catch (e) {
      next.reject(e);
    }
  }

  private openSession(): Buffer {
    const session = this.api.C_OpenSession(this.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    this.open += 1;
    try {
      // Login is per application and token: a second session, or a second vault in this process, finds it done.
      this.api.C_Login(session, pkcs11js.CKU_USER, this.pin);
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
        this.open -= 1;
        this.closeQuietly(session);
        if (code === pkcs11js.CKR_PIN_INCORRECT || code === pkcs11js.CKR_PIN_LEN_RANGE) {
          throw new Error('the PKCS#11 token refused the PIN in PKCS11_PIN_FILE (CKR_PIN_INCORRECT); put the user PIN of the token in that file');
        }
        if (code === pkcs11js.CKR_PIN_LOCKED) throw new Error('the PKCS#11 token user PIN is locked (CKR_PIN_LOCKED); the security officer must reset it');
        throw e;
      }
    }
    return session;
  }

  private closeQuietly(session: Buffer): void {
    try {
      this.api.C_CloseSession(session);
    } catch {
      // Already gone with the token.
    }
  }
}
