/** Every table of dualkey, for drizzle and drizzle-kit. */
export { tenants } from './tenants.js';
export { admins } from './admins.js';
export { adminIdentities } from './admin-identities.js';
export { instances } from './instances.js';
export { protectors } from './protectors.js';
export { keyring } from './keyring.js';
export { records } from './records.js';
export { requests } from './requests.js';
export { auditEntries, auditAnchor } from './audit-entries.js';
export { outbox } from './outbox.js';
export { operationJournal } from './operation-journal.js';
export { vaultKeys } from './vault-keys.js';
export { dataPlaneTokens } from './data-plane-tokens.js';
export { pageTokens } from './page-tokens.js';
export { handledDeliveries } from './handled-deliveries.js';
export { teamsConversations } from './teams-conversations.js';
export { inboxEntries } from './inbox-entries.js';
export { consoleLinks, consoleSessions } from './console-sessions.js';
