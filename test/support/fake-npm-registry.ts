import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of the npm registry's read API on http://127.0.0.1 serving one package version from a tarball
 * (`npm pack` output): the packument at `/<name>` and the tarball it names. Every request path is recorded,
 * so a test can tell whether npm only looked the package up or also downloaded it.
 */
export class FakeNpmRegistry {
  readonly requests: string[] = [];

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(pkg: { name: string; version: string; bin: Record<string, string>; tarball: string }): Promise<FakeNpmRegistry> {
    const tgz = readFileSync(pkg.tarball);
    let self: FakeNpmRegistry | null = null;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      self!.requests.push(path);
      const tarballPath = `/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`;
      if (path === tarballPath) return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tgz);
      if (path !== `/${pkg.name}`) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      const dist = { tarball: `${self!.url}${tarballPath.slice(1)}`, shasum: createHash('sha1').update(tgz).digest('hex'), integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}` };
      const version = { name: pkg.name, version: pkg.version, bin: pkg.bin, dist };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: pkg.name, 'dist-tags': { latest: pkg.version }, versions: { [pkg.version]: version } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeNpmRegistry(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
