/** Which side of the gate a holder takes. */
export type GateSide = 'shared' | 'exclusive';

interface Waiter {
  side: GateSide;
  grant: () => void;
}

/**
 * A fair reader/writer gate in front of the embedded database: in-process transactions take the
 * shared side, a client connected over the socket takes the exclusive side for its whole session.
 * Waiters are served in arrival order, so a waiting exclusive holder blocks later shared ones and
 * the CLI is not starved by a busy server.
 */
export class SessionGate {
  private shared = 0;
  private exclusive = false;
  private readonly waiters: Waiter[] = [];

  /** Waits for the gate and returns the function that releases it (idempotent). */
  acquire(side: GateSide): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiters.push({ side, grant: () => resolve(this.releaser(side)) });
      this.dispatch();
    });
  }

  /** Runs `fn` while holding the given side. */
  async run<T>(side: GateSide, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(side);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Holders and waiters, for tests and diagnostics. */
  stats(): { shared: number; exclusive: boolean; waiting: number } {
    return { shared: this.shared, exclusive: this.exclusive, waiting: this.waiters.length };
  }

  private releaser(side: GateSide): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (side === 'shared') this.shared -= 1;
      else this.exclusive = false;
      this.dispatch();
    };
  }

  private dispatch(): void {
    // Grant strictly in arrival order: stop at the first waiter that cannot go yet.
    for (;;) {
      const head = this.waiters[0];
      if (!head || this.exclusive) return;
      if (head.side === 'shared') {
        this.shared += 1;
      } else {
        if (this.shared > 0) return;
        this.exclusive = true;
      }
      this.waiters.shift();
      head.grant();
    }
  }
}
