import { auditHead, listAudit, verifyAudit } from './audit/audit-queries.js';
import { keyedUnitOfWork } from './audit/keyed-unit-of-work.js';
import { RecordService } from './data-plane/record-service.js';
import { dropStaleKeys } from './data-plane/drop-stale-keys.js';
import { dbKeyStatus, initDbKeys, rotateDbKey } from './db-keys/manage-db-keys.js';
import { KvKeyServer } from './db-keys/kv-key-server.js';
import type { EngineDeps } from './engine-deps.js';
import { createBackup, restoreBackup } from './lifecycle/backup.js';
import { failPageLink, issuePageLink, openPageLink, usePageLink } from './pages/page-links.js';
import { changeKey } from './lifecycle/key-change.js';
import { decideRequest } from './lifecycle/decide-request.js';
import { recoverJournal } from './lifecycle/recover-journal.js';
import { requestLock } from './lifecycle/request-lock.js';
import { sweepDeadlines } from './lifecycle/sweep-deadlines.js';
import { unlockInstance } from './lifecycle/unlock-instance.js';
import { inspectUpload } from './lifecycle/uploaded-key.js';
import { deliverOutbox } from './alerts/deliver-outbox.js';
import { queueReminders } from './alerts/queue-reminders.js';
import { alertReach, recordDeploymentChannels } from './alerts/deployment-channels.js';
import { checkKeyAccess } from './health/check-key-access.js';
import { buildDigest } from './digest/build-digest.js';
import { queueDigests } from './digest/queue-digests.js';
import { requestAdminChange } from './roster/request-admin-change.js';
import { addAdmin } from './setup/add-admin.js';
import { linkIdentity } from './setup/link-identity.js';
import { createInstance } from './setup/create-instance.js';
import { createTenant } from './setup/create-tenant.js';
import { updateTenantSettings } from './setup/update-tenant-settings.js';
import { requestSettingsChange } from './settings/request-settings-change.js';
import { adminByEmail, adminByIdentity, listAdmins, listRequests, resolveTenant } from './setup/directory.js';
import { ensureKek } from './setup/ensure-kek.js';
import { instanceStatus } from './setup/instance-status.js';
import { endAllSessions, endSession, inspectSignInLink, issueSignInLink, openSession, redeemSignInLink } from './console/console-auth.js';
import { consoleQueries } from './console/console-queries.js';
import { issueToken, resolveToken } from './setup/issue-token.js';
import { endDrain, sweepDrains } from './hooks/end-drain.js';
import { offlineHookTarget } from './hooks/hook-target.js';
import { setOfflineHook } from './hooks/set-offline-hook.js';
import { createCliToken } from './cli-tokens/create-cli-token.js';
import { listCliTokens, revokeCliToken } from './cli-tokens/manage-cli-tokens.js';
import { resolveCliToken } from './cli-tokens/resolve-cli-token.js';
import { beginPasskeyRegistration, finishPasskeyRegistration } from './passkeys/register-passkey.js';
import { listPasskeys, renamePasskey, revokePasskey } from './passkeys/manage-passkeys.js';
import { beginStepUp, decideWithStepUp } from './step-up/decide-with-step-up.js';
import { beginUnlockStepUp, unlockWithStepUp } from './step-up/unlock-with-step-up.js';
import type { Actor } from './model/actor.js';

/** The one core engine every transport calls: each use case bound to the same ports. */
export function createEngine(ports: EngineDeps) {
  // Every transaction of this engine can tag audit entries with the vault-derived key (I6).
  const deps: EngineDeps = { ...ports, uow: keyedUnitOfWork(ports.uow, ports.vault) };
  const records = new RecordService(deps);
  const kv = new KvKeyServer(deps);
  const dropStale = () => dropStaleKeys(deps, [records.deks, kv]);
  // After a state change this process made, its own caches are zeroed at once (other replicas: their sweep timer).
  const thenDropStale = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    try {
      return await fn(...a);
    } finally {
      await dropStale().catch(() => 0);
    }
  };
  return {
    deps,
    records,
    /** The Vault-KV-v2 key server MariaDB reads; its cache lives as long as this engine. */
    kv,
    /** Zeroes cached keys of instances no longer active at their cached generation (every replica, on a timer). */
    dropStaleKeys: dropStale,
    initDbKeys: thenDropStale(initDbKeys.bind(null, deps)),
    rotateDbKey: thenDropStale(rotateDbKey.bind(null, deps)),
    dbKeyStatus: dbKeyStatus.bind(null, deps),
    createTenant: createTenant.bind(null, deps),
    updateTenantSettings: updateTenantSettings.bind(null, deps),
    requestSettingsChange: requestSettingsChange.bind(null, deps),
    addAdmin: addAdmin.bind(null, deps),
    linkIdentity: linkIdentity.bind(null, deps),
    requestAdminChange: requestAdminChange.bind(null, deps),
    queueReminders: queueReminders.bind(null, deps),
    recordDeploymentChannels: recordDeploymentChannels.bind(null, deps),
    alertReach: alertReach.bind(null, deps),
    // A refusal it records drops this process's cached DEKs of that instance at once (other replicas: their sweep).
    checkKeyAccess: thenDropStale(checkKeyAccess.bind(null, deps)),
    buildDigest: buildDigest.bind(null, deps),
    queueDigests: queueDigests.bind(null, deps),
    deliverOutbox: deliverOutbox.bind(null, deps),
    createInstance: createInstance.bind(null, deps),
    issueToken: issueToken.bind(null, deps),
    resolveToken: resolveToken.bind(null, deps),
    resolveTenant: resolveTenant.bind(null, deps),
    adminByEmail: adminByEmail.bind(null, deps),
    adminByIdentity: adminByIdentity.bind(null, deps),
    listAdmins: listAdmins.bind(null, deps),
    listRequests: listRequests.bind(null, deps),
    status: instanceStatus.bind(null, deps),
    ensureKek: ensureKek.bind(null, deps),
    inspectUpload: inspectUpload.bind(null, deps),
    changeKey: thenDropStale(changeKey.bind(null, deps)),
    requestLock: requestLock.bind(null, deps),
    // A transport's actor never carries a step-up proof: only decideWithStepUp, after verifying a passkey, sets one.
    decide: thenDropStale((actor: Actor, ...rest: Parameters<typeof decideRequest> extends [unknown, unknown, ...infer R] ? R : never) => decideRequest(deps, { ...actor, stepUp: undefined }, ...rest)),
    beginStepUp: beginStepUp.bind(null, deps),
    decideWithStepUp: thenDropStale(decideWithStepUp.bind(null, deps)),
    // As for decide: a transport's actor never carries a step-up proof.
    unlock: (actor: Actor, ...rest: Parameters<typeof unlockInstance> extends [unknown, unknown, ...infer R] ? R : never) => unlockInstance(deps, { ...actor, stepUp: undefined }, ...rest),
    beginUnlockStepUp: beginUnlockStepUp.bind(null, deps),
    unlockWithStepUp: unlockWithStepUp.bind(null, deps),
    sweep: thenDropStale(sweepDeadlines.bind(null, deps)),
    recover: thenDropStale(recoverJournal.bind(null, deps)),
    setOfflineHook: setOfflineHook.bind(null, deps),
    offlineHookTarget: offlineHookTarget.bind(null, deps),
    endDrain: thenDropStale(endDrain.bind(null, deps)),
    sweepDrains: thenDropStale(sweepDrains.bind(null, deps)),
    issuePageLink: issuePageLink.bind(null, deps),
    openPageLink: openPageLink.bind(null, deps),
    usePageLink: usePageLink.bind(null, deps),
    failPageLink: failPageLink.bind(null, deps),
    createBackup: createBackup.bind(null, deps),
    restoreBackup: restoreBackup.bind(null, deps),
    listAudit: listAudit.bind(null, deps),
    verifyAudit: verifyAudit.bind(null, deps),
    auditHead: auditHead.bind(null, deps),
    issueSignInLink: issueSignInLink.bind(null, deps),
    inspectSignInLink: inspectSignInLink.bind(null, deps),
    redeemSignInLink: redeemSignInLink.bind(null, deps),
    openSession: openSession.bind(null, deps),
    endSession: endSession.bind(null, deps),
    endAllSessions: endAllSessions.bind(null, deps),
    console: consoleQueries(deps),
    createCliToken: createCliToken.bind(null, deps),
    resolveCliToken: resolveCliToken.bind(null, deps),
    listCliTokens: listCliTokens.bind(null, deps),
    revokeCliToken: revokeCliToken.bind(null, deps),
    beginPasskeyRegistration: beginPasskeyRegistration.bind(null, deps),
    finishPasskeyRegistration: finishPasskeyRegistration.bind(null, deps),
    listPasskeys: listPasskeys.bind(null, deps),
    renamePasskey: renamePasskey.bind(null, deps),
    revokePasskey: revokePasskey.bind(null, deps),
  };
}

/** The engine's type, for transports. */
export type Engine = ReturnType<typeof createEngine>;
