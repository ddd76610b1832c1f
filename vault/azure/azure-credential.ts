import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

/** How dualkey authenticates to Key Vault: a service principal's secret, or the host's managed identity. */
export interface AzureCredentialConfig {
  tenantId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** The Microsoft Entra authority (default https://login.microsoftonline.com). */
  authorityHost?: string | undefined;
  /** Extra trusted CA certificates (PEM) for the token endpoint (private CAs; tests). */
  tlsCa?: string | undefined;
}

/** A ClientSecretCredential when tenant, client and secret are set; otherwise a managed identity (user-assigned when AZURE_CLIENT_ID is set). */
export function azureCredential(c: AzureCredentialConfig): TokenCredential {
  // Bounded: MSAL's token requests retry at most three times, never forever.
  const common = { retryOptions: { maxRetries: 3, maxRetryDelayInMs: 8_000 }, ...(c.tlsCa ? { tlsOptions: { ca: c.tlsCa } } : {}) };
  if (c.tenantId && c.clientId && c.clientSecret) {
    return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, {
      ...common,
      ...(c.authorityHost ? { authorityHost: c.authorityHost, disableInstanceDiscovery: true } : {}),
    });
  }
  return c.clientId ? new ManagedIdentityCredential(c.clientId, common) : new ManagedIdentityCredential(common);
}
