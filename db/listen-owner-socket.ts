import { chmodSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';

/**
 * Listens on the unix socket `path` for the owner of the data dir, who alone may connect (0600; the data
 * dir is 0700 as well). The caller holds the data-dir lock, so a file already there was left by a dead process.
 */
export async function listenOwnerSocket(server: Server, path: string): Promise<void> {
  rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
}
