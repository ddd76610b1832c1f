import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../bot/runtime/config.js';

/** The ConfigError loadConfig throws for `env` (fails the test when it accepts the environment). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('runs on embedded defaults with an empty environment: ./.dualkey, port 3000, local vault', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ DUALKEY_DATA_DIR: './.dualkey', PORT: 3000, DUALKEY_VAULT: 'local', DUALKEY_DB_LOCK_TIMEOUT_MS: 30_000, TEAMS_ALLOW_UNAUTHENTICATED: false });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DUALKEY_MASTER_KEY_FILE).toBeUndefined();
  });

  it('does not read process.env when given an environment', () => {
    const saved = process.env.PORT;
    process.env.PORT = 'not a port';
    try {
      expect(loadConfig({}).PORT).toBe(3000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('reads the values it is given, converting numbers and flags', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://root@127.0.0.1:5432/dualkey',
      DUALKEY_DATA_DIR: '/var/lib/dualkey',
      PORT: '8080',
      DUALKEY_DB_LOCK_TIMEOUT_MS: '1500',
      DUALKEY_VAULT: 'azure',
      AZURE_KEYVAULT_URL: 'https://my-vault.vault.azure.net',
      TEAMS_ALLOW_UNAUTHENTICATED: 'true',
    });
    expect(config).toMatchObject({
      DATABASE_URL: 'postgresql://root@127.0.0.1:5432/dualkey',
      DUALKEY_DATA_DIR: '/var/lib/dualkey',
      PORT: 8080,
      DUALKEY_DB_LOCK_TIMEOUT_MS: 1500,
      DUALKEY_VAULT: 'azure',
      TEAMS_ALLOW_UNAUTHENTICATED: true,
    });
  });

  it('keeps operator impersonation off unless DUALKEY_DEV_IMPERSONATION=true, and refuses the flag with NODE_ENV=production', () => {
    expect(loadConfig({}).DUALKEY_DEV_IMPERSONATION).toBe(false);
    expect(loadConfig({ DUALKEY_DEV_IMPERSONATION: 'true' }).DUALKEY_DEV_IMPERSONATION).toBe(true);
    expect(loadConfig({ DUALKEY_DEV_IMPERSONATION: 'false', NODE_ENV: 'production' }).DUALKEY_DEV_IMPERSONATION).toBe(false);
    expect(() => loadConfig({ DUALKEY_DEV_IMPERSONATION: 'yes' })).toThrow(/DUALKEY_DEV_IMPERSONATION must be true or false/);
    expect(() => loadConfig({ DUALKEY_DEV_IMPERSONATION: 'true', NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ DUALKEY_DEV_IMPERSONATION: '1', NODE_ENV: 'production' })).toThrow(/DUALKEY_DEV_IMPERSONATION is for local development only and is refused when NODE_ENV=production/);
  });

  it('accepts PORT=0 (an ephemeral port, as the tests use)', () => {
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
  });

  it('treats empty strings as unset, as deployment tools write them', () => {
    const config = loadConfig({ DATABASE_URL: '', DUALKEY_DATA_DIR: '', PORT: '', DUALKEY_VAULT: '', AZURE_KEYVAULT_URL: '', DUALKEY_MASTER_KEY_FILE: '', SMTP_URL: '', TEAMS_ALLOW_UNAUTHENTICATED: '' });
    expect(config).toMatchObject({ DUALKEY_DATA_DIR: './.dualkey', PORT: 3000, DUALKEY_VAULT: 'local', TEAMS_ALLOW_UNAUTHENTICATED: false });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DUALKEY_MASTER_KEY_FILE).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('treats whitespace-only values as unset too (the schema trims them to empty)', () => {
    const config = loadConfig({ DUALKEY_DATA_DIR: '   ', SLACK_BOT_TOKEN: ' ', DUALKEY_MASTER_KEY_FILE: '\t' });
    expect(config.DUALKEY_DATA_DIR).toBe('./.dualkey');
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
    expect(config.DUALKEY_MASTER_KEY_FILE).toBeUndefined();
  });

  it('refuses a DATABASE_URL that is not a PostgreSQL URL, saying what to write or to unset it', () => {
    const e = configError({ DATABASE_URL: 'mysql://root@127.0.0.1/dualkey' });
    expect(e.message).toContain('DATABASE_URL');
    expect(e.message).toContain('postgres://');
    expect(e.message).toMatch(/unset it/);
  });

  it('refuses a PORT that is not a number, naming PORT', () => {
    const e = configError({ PORT: 'eighty' });
    expect(e.message).toMatch(/PORT .*port number/);
  });

  it.each(['-1', '65536', '80.5'])('refuses PORT=%s, which is no TCP port', (port) => {
    expect(configError({ PORT: port }).message).toContain('PORT');
  });

  it('refuses an unknown DUALKEY_VAULT, listing the accepted values', () => {
    const e = configError({ DUALKEY_VAULT: 'bogus' });
    expect(e.message).toContain('DUALKEY_VAULT');
    expect(e.message).toContain('"local"');
    expect(e.message).toContain('"azure"');
  });

  it('refuses DUALKEY_VAULT=azure without AZURE_KEYVAULT_URL, saying it is required for azure', () => {
    const e = configError({ DUALKEY_VAULT: 'azure' });
    expect(e.message).toMatch(/AZURE_KEYVAULT_URL is required when DUALKEY_VAULT=azure/);
  });

  it('refuses an AZURE_KEYVAULT_URL that is not a URL, with an example', () => {
    const e = configError({ DUALKEY_VAULT: 'azure', AZURE_KEYVAULT_URL: 'my-vault' });
    expect(e.message).toContain('AZURE_KEYVAULT_URL');
    expect(e.message).toContain('https://my-vault.vault.azure.net');
  });

  it('refuses TEAMS_ALLOW_UNAUTHENTICATED=true when NODE_ENV=production', () => {
    const e = configError({ TEAMS_ALLOW_UNAUTHENTICATED: 'true', NODE_ENV: 'production' });
    expect(e.message).toContain('TEAMS_ALLOW_UNAUTHENTICATED');
    expect(e.message).toMatch(/local development only/);
    expect(e.message).toContain('NODE_ENV=production');
    // The same flag is accepted outside production, and "false" is accepted in production.
    expect(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'true', NODE_ENV: 'development' }).TEAMS_ALLOW_UNAUTHENTICATED).toBe(true);
    expect(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'false', NODE_ENV: 'production' }).TEAMS_ALLOW_UNAUTHENTICATED).toBe(false);
  });

  it('refuses a TEAMS_ALLOW_UNAUTHENTICATED that is not a boolean, saying to write true or false', () => {
    const e = configError({ TEAMS_ALLOW_UNAUTHENTICATED: 'yes' });
    expect(e.message).toMatch(/TEAMS_ALLOW_UNAUTHENTICATED must be .*"?true"? or "?false"?/);
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, with an example', () => {
    const e = configError({ SMTP_URL: 'mail.example.com:587' });
    expect(e.message).toContain('SMTP_URL');
    expect(e.message).toContain('smtp://');
  });

  it('refuses a DUALKEY_DB_LOCK_TIMEOUT_MS that is not a positive number of milliseconds', () => {
    expect(configError({ DUALKEY_DB_LOCK_TIMEOUT_MS: 'soon' }).message).toContain('DUALKEY_DB_LOCK_TIMEOUT_MS');
    expect(configError({ DUALKEY_DB_LOCK_TIMEOUT_MS: '0' }).message).toContain('DUALKEY_DB_LOCK_TIMEOUT_MS');
  });

  it('lists every invalid variable in one error, one per line', () => {
    const e = configError({ PORT: 'x', DUALKEY_VAULT: 'bogus', DATABASE_URL: 'sqlite:dualkey.db' });
    const lines = e.message.split('\n').slice(1);
    expect(lines.map((l) => l.trim().split(' ')[0]).sort()).toEqual(['DATABASE_URL', 'DUALKEY_VAULT', 'PORT']);
    expect(e.message).toMatch(/^Invalid configuration:/);
  });
});
