import type { Store } from '../core/ports/store.js';
import type { Drizzle } from './database.js';
import { adminRepo } from './repositories/admin-repo.js';
import { auditRepo } from './repositories/audit-repo.js';
import { dbKeyRepo } from './repositories/db-key-repo.js';
import { digestRepo } from './repositories/digest-repo.js';
import { instanceRepo } from './repositories/instance-repo.js';
import { journalRepo } from './repositories/journal-repo.js';
import { keyringRepo } from './repositories/keyring-repo.js';
import { outboxRepo } from './repositories/outbox-repo.js';
import { handledDeliveryRepo, pageTokenRepo } from './repositories/page-token-repo.js';
import { protectorRepo } from './repositories/protector-repo.js';
import { recordRepo } from './repositories/record-repo.js';
import { requestApprovalRepo } from './repositories/request-approval-repo.js';
import { requestRepo } from './repositories/request-repo.js';
import { tenantRepo } from './repositories/tenant-repo.js';
import { tokenRepo } from './repositories/token-repo.js';
import { consoleAuthRepo } from './repositories/console-auth-repo.js';
import { consoleViewRepo } from './repositories/console-view-repo.js';
import { inboxRepo } from './repositories/inbox-repo.js';
import { deploymentChannelRepo } from './repositories/deployment-channel-repo.js';
import { offlineHookRepo } from './repositories/offline-hook-repo.js';
import { cliTokenRepo } from './repositories/cli-token-repo.js';
import { passkeyRepo, webauthnChallengeRepo } from './repositories/passkey-repo.js';

/** Every repository, bound to one drizzle transaction. */
export function createStore(tx: Drizzle): Store {
  return {
    tenants: tenantRepo(tx),
    admins: adminRepo(tx),
    instances: instanceRepo(tx),
    protectors: protectorRepo(tx),
    keyring: keyringRepo(tx),
    records: recordRepo(tx),
    requests: requestRepo(tx),
    requestApprovals: requestApprovalRepo(tx),
    audit: auditRepo(tx),
    outbox: outboxRepo(tx),
    journal: journalRepo(tx),
    tokens: tokenRepo(tx),
    dbKeys: dbKeyRepo(tx),
    digest: digestRepo(tx),
    pageTokens: pageTokenRepo(tx),
    handledDeliveries: handledDeliveryRepo(tx),
    inbox: inboxRepo(tx),
    consoleAuth: consoleAuthRepo(tx),
    cliTokens: cliTokenRepo(tx),
    consoleViews: consoleViewRepo(tx),
    deploymentChannels: deploymentChannelRepo(tx),
    offlineHooks: offlineHookRepo(tx),
    passkeys: passkeyRepo(tx),
    webauthnChallenges: webauthnChallengeRepo(tx),
  };
}
