import * as z from 'zod/mini';

// zod/mini, the tree-shakable form of zod's API: the CLI's start-up parses 57 KB of it instead of 191 KB (issue 12).
const trimmed = () => z.string().check(z.trim());
const optionalString = z.optional(trimmed().check(z.minLength(1)));
const flag = z.pipe(z.optional(z.enum(['true', 'false', '1', '0'], { message: 'must be true or false (or 1 / 0)' })), z.transform((v) => v === 'true' || v === '1'));
/** A trimmed URL, with a message that shows one. */
const url = (message: string) => z.optional(z.pipe(trimmed(), z.url({ message })));
/** A trimmed string matching `pattern`. */
const matching = (pattern: RegExp, message: string) => trimmed().check(z.regex(pattern, message));
/** An integer of milliseconds (or sessions, or a port) within bounds, from its decimal text. */
const integer = (message: string, min: number, max: number, fallback: number) => z._default(z.coerce.number({ message }).check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/** The environment dualkey reads (DESIGN §6), validated at start-up. */
export const configSchema = z
  .object({
    DATABASE_URL: z.optional(matching(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL such as postgres://user@127.0.0.1:5432/dualkey (or unset it to use the embedded database)')),
    DUALKEY_DATA_DIR: z._default(trimmed().check(z.minLength(1)), './.dualkey'),
    DUALKEY_MASTER_KEY_FILE: optionalString,
    DUALKEY_VAULT: z._default(z.enum(['local', 'azure', 'pkcs11'], { message: 'must be "local" (embedded default, single host), "azure" (Azure Key Vault) or "pkcs11" (an HSM)' }), 'local'),
    DUALKEY_VAULT_KEY_DIR: optionalString,
    DUALKEY_DB_LOCK_TIMEOUT_MS: integer('must be a number of milliseconds', 1, Number.MAX_SAFE_INTEGER, 30_000),
    DUALKEY_KEY_CACHE_SWEEP_MS: integer('must be a number of milliseconds', 100, 60_000, 1_000),
    DUALKEY_KV_GRANT_CACHE_MS: integer('must be a number of milliseconds (0 reads every token afresh)', 0, 5_000, 250),
    AZURE_KEYVAULT_URL: url('must be the vault URL, e.g. https://my-vault.vault.azure.net'),
    AZURE_TENANT_ID: optionalString,
    AZURE_CLIENT_ID: optionalString,
    AZURE_CLIENT_SECRET: optionalString,
    AZURE_AUTHORITY_HOST: url('must be the Microsoft Entra authority URL, e.g. https://login.microsoftonline.com'),
    DUALKEY_AZURE_HSM: flag,
    AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: flag,
    PKCS11_MODULE: optionalString,
    PKCS11_TOKEN_LABEL: optionalString,
    PKCS11_PIN_FILE: optionalString,
    PKCS11_INIT_ARGS: optionalString,
    PKCS11_AES_KWP_MECHANISM: optionalString,
    PKCS11_SESSIONS: integer('must be a number of sessions', 1, 64, 4),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_BOT_TOKEN: optionalString,
    SLACK_APP_TOKEN: optionalString,
    SLACK_API_URL: url('must be a URL such as https://slack.com/api/'),
    TEAMS_CLIENT_ID: optionalString,
    TEAMS_CLIENT_SECRET: optionalString,
    TEAMS_TENANT_ID: optionalString,
    TEAMS_ALLOW_UNAUTHENTICATED: flag,
    DUALKEY_DEV_IMPERSONATION: flag,
    SMTP_URL: z.optional(matching(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587')),
    SMTP_FROM: z.optional(matching(/^[^\s@<>]+@[^\s@<>]+$|^.+<[^\s@<>]+@[^\s@<>]+>$/, 'must be an address such as dualkey@example.com or "dualkey <dualkey@example.com>"')),
    DUALKEY_REMINDER_HOURS: z.pipe(
      z._default(matching(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, 'must be a comma-separated list of hours before a deadline, e.g. 24,1'), '24,1'),
      z.transform((v) => v.split(',').map((h) => Number(h.trim()))),
    ),
    PUBLIC_URL: url('must be the https:// URL where dualkey is reachable, e.g. https://dualkey.example.com'),
    PORT: integer('must be a port number', 0, 65535, 3000),
    NODE_ENV: z.optional(z.string()),
  })
  .check(
    z.superRefine((c, ctx) => {
      if (c.DUALKEY_VAULT === 'azure' && !c.AZURE_KEYVAULT_URL) {
        ctx.addIssue({ code: 'custom', path: ['AZURE_KEYVAULT_URL'], message: 'is required when DUALKEY_VAULT=azure' });
      }
      if (c.DUALKEY_VAULT === 'azure' && c.AZURE_CLIENT_SECRET && (!c.AZURE_TENANT_ID || !c.AZURE_CLIENT_ID)) {
        ctx.addIssue({ code: 'custom', path: ['AZURE_CLIENT_SECRET'], message: 'needs AZURE_TENANT_ID and AZURE_CLIENT_ID too (or unset all three to use a managed identity)' });
      }
      if (c.DUALKEY_VAULT === 'pkcs11') {
        for (const name of ['PKCS11_MODULE', 'PKCS11_TOKEN_LABEL', 'PKCS11_PIN_FILE'] as const) {
          if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when DUALKEY_VAULT=pkcs11' });
        }
      }
      if (c.PUBLIC_URL) {
        const u = new URL(c.PUBLIC_URL);
        const local = u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
        if (u.protocol !== 'https:' && !local) {
          ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be an https:// URL (http:// only for localhost, 127.0.0.1 or [::1]): passwords and key files are typed on its pages' });
        }
      }
      if (c.TEAMS_ALLOW_UNAUTHENTICATED && c.NODE_ENV === 'production') {
        ctx.addIssue({ code: 'custom', path: ['TEAMS_ALLOW_UNAUTHENTICATED'], message: 'is for local development only and is refused when NODE_ENV=production' });
      }
      if (c.DUALKEY_DEV_IMPERSONATION && c.NODE_ENV === 'production') {
        ctx.addIssue({
          code: 'custom', path: ['DUALKEY_DEV_IMPERSONATION'],
          message: 'is for local development only and is refused when NODE_ENV=production: the operator is not an admin. Unset it; admins act with their own CLI token (dualkey --token-file <file>), in chat or in the console',
        });
      }
    }),
  );

/** Validated configuration. */
export type Config = z.output<typeof configSchema>;

/** Thrown when the environment is invalid; the message lists every variable to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the configuration, with messages that say how to fix each variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset, as most deployment tools write them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'} ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Where one-time pages are reached: PUBLIC_URL, or this machine's port for local use. */
export function publicUrlOf(config: Pick<Config, 'PUBLIC_URL' | 'PORT'>): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
}
