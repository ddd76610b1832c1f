import type { PGlite } from '@electric-sql/pglite';

// Frontend messages built by hand: Sync ('S') and a simple Query ('Q') of ROLLBACK.
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
const ROLLBACK = simpleQuery('ROLLBACK');
const TERMINATE = 0x58; // 'X'

/**
 * The query queue of one socket session, duck-typed for PGLiteSocketHandler: the session's
 * protocol messages run strictly in order, each under PGlite's query mutex.
 */
export class SocketSessionQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private ended = false;
  private finishing: Promise<void> | null = null;

  constructor(private readonly pglite: PGlite) {}

  enqueue(_handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const run = async (): Promise<number> => {
      // Terminate ends the client's session, not PGlite's one backend: finish() handles it.
      if (this.ended || message[0] === TERMINATE) return 0;
      let bytes = 0;
      await this.pglite.runExclusive(() =>
        this.pglite.execProtocolRawStream(message, {
          onRawData: (data) => {
            bytes += data.length;
            onData(data);
          },
        }),
      );
      return bytes;
    };
    const result = this.tail.then(run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  clearQueueForHandler(): void {
    // Nothing to clear: finish() skips whatever is still queued once the session ended.
  }

  clearTransactionIfNeeded(): Promise<void> {
    // The handler calls this from a detach nobody awaits: never let it reject unhandled.
    return this.finish().catch(() => {});
  }

  /** Ends the session (once): drops queued messages and leaves PGlite idle, outside any transaction. */
  finish(): Promise<void> {
    return (this.finishing ??= this.end());
  }

  private async end(): Promise<void> {
    this.ended = true;
    await this.tail;
    await this.pglite.runExclusive(async () => {
      // A client gone mid extended-protocol would make the backend skip messages until a Sync.
      await this.pglite.execProtocolRaw(SYNC);
      // Not pglite.exec: it takes the transaction mutex, which in-process work may be waiting on.
      if (this.pglite.isInTransaction()) await this.pglite.execProtocolRaw(ROLLBACK);
    });
  }

  getQueueLength(): number {
    return 0;
  }
}

function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const msg = Buffer.alloc(5 + body.length);
  msg.writeUInt8(0x51, 0);
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return new Uint8Array(msg);
}
