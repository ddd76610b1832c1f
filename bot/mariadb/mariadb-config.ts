/** What the `[mariadbd]` lines for one instance depend on. */
export interface MariadbConfigInput {
  /** dualkey's public base URL, e.g. https://dualkey.example.com */
  baseUrl: string;
  instance: string;
  /** The file holding `hashicorp-key-management-token=…` (included, never inlined). */
  tokenFile: string;
  /** CA bundle for an https base URL whose certificate is not in the system store. */
  caFile: string | null;
  /** Key values kept by the plugin (ms): longer means less load, and reads of uncached pages go on that long after a lock. */
  cacheTimeoutMs: number;
  /** Latest-version answers kept (ms): 0 asks dualkey on every page write, so a lock bites at the next write. */
  versionCacheTimeoutMs: number;
  maxRetries: number;
}

/** The `[mariadbd]` option lines that make InnoDB encryption depend on dualkey (no secret in them). */
export function mariadbConfigLines(c: MariadbConfigInput): string[] {
  const https = c.baseUrl.startsWith('https://');
  return [
    '[mariadbd]',
    'plugin-load-add=hashicorp_key_management',
    `hashicorp-key-management-vault-url=${c.baseUrl.replace(/\/$/, '')}/v1/mariadb/${c.instance}`,
    ...(https && c.caFile ? [`hashicorp-key-management-vault-ca=${c.caFile}`] : []),
    '# the token is the instance data-plane token, kept in its own 0600 file:',
    `!include ${c.tokenFile}`,
    // The shipped .cnf names "-retries"; the option MariaDB accepts is "-max-retries".
    `hashicorp-key-management-max-retries=${c.maxRetries}`,
    'hashicorp-key-management-timeout=5',
    `# key values kept ${c.cacheTimeoutMs} ms: less load on dualkey, but after a lock reads of uncached pages go on that long`,
    `hashicorp-key-management-cache-timeout=${c.cacheTimeoutMs}`,
    `# latest versions kept ${c.versionCacheTimeoutMs} ms: 0 asks dualkey at every page write, so a lock stops writes at once`,
    `hashicorp-key-management-cache-version-timeout=${c.versionCacheTimeoutMs}`,
    'innodb-encrypt-tables=ON',
    'innodb-encrypt-log=ON',
    'innodb-encrypt-temporary-tables=ON',
    'encrypt-tmp-files=ON',
    'encrypt-binlog=ON',
    'innodb-encryption-threads=1',
  ];
}

/** The content of the token file (`!include`d by the lines above). */
export function mariadbTokenFile(token: string): string {
  return `[mariadbd]\nhashicorp-key-management-token=${token}\n`;
}
