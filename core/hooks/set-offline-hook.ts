import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import { requireInstanceAdmin } from '../access/authorize.js';
import type { EngineDeps } from '../engine-deps.js';
import type { Actor } from '../model/actor.js';
import { audited } from '../lifecycle/audited.js';
import { loadInstance } from '../lifecycle/load-instance.js';
import { offlineHookChanged } from './hook-messages.js';
import { sealHookSecret } from './hook-secret.js';
import { checkHookUrl } from './hook-url.js';

/** What setting a hook returns: the HMAC key only here, once (it is stored sealed and never shown again). */
export interface OfflineHookResult {
  instance: string;
  url: string | null;
  /** 64 hex characters; the receiver uses this text as the HMAC-SHA256 key. Null when the hook was removed. */
  secret: string | null;
}

/**
 * Sets (url) or removes (null) an instance's offline hook. One admin of the instance decides it, like
 * any instance setting: a hook gives nobody key material and its drain window is bounded by the tenant's
 * `lockDrainSeconds`; every admin is alerted and the change is audited, so a surprising hook is seen.
 * Setting again replaces the URL and issues a new secret.
 */
export async function setOfflineHook(deps: EngineDeps, actor: Actor, instanceName: string, url: string | null): Promise<OfflineHookResult> {
  return audited(deps, { action: url ? 'offline_hook_set' : 'offline_hook_removed', actor, tenantId: actor.admin.tenantId, instanceName }, async () => {
    const checked = url === null ? null : checkHookUrl(url);
    const target = await deps.uow.run(async (store) => {
      const c = await loadInstance(store, actor.admin.tenantId, instanceName);
      requireInstanceAdmin(actor.admin, c.instance);
      return c.instance;
    });
    const secret = checked ? deps.random.bytes(32).toString('hex') : null;
    // Sealing asks the vault, which never runs inside a transaction.
    const sealed = checked && secret ? await sealHookSecret(deps, target.id, checked, Buffer.from(secret)) : null;
    await deps.uow.run(async (store) => {
      const now = deps.clock.now();
      const c = await loadInstance(store, actor.admin.tenantId, instanceName, true);
      requireInstanceAdmin(actor.admin, c.instance);
      if (checked && sealed) await store.offlineHooks.put({ instanceId: c.instance.id, url: checked, ...sealed, setBy: actor.admin.id, setAt: now });
      else await store.offlineHooks.remove(c.instance.id);
      await appendAudit(store, {
        at: now, tenantId: c.tenant.id, actor: auditActorOf(actor), transport: actor.transport, action: checked ? 'offline_hook_set' : 'offline_hook_removed',
        instanceName: c.instance.name, requestId: null, result: 'ok', code: null, details: { url: checked },
      });
      await fanOutAlert(store, deps, now, c.tenant.id, offlineHookChanged(c.instance.name, checked, actor.admin.email, now));
    });
    return { instance: target.name, url: checked, secret };
  });
}
