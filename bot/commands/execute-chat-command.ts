import { describeCustody } from '../../core/setup/describe-custody.js';
import { describeProgress } from '../../core/alerts/approval-message.js';
import { approvalCount } from '../../core/model/request-approval.js';
import type { Engine } from '../../core/engine.js';
import { isDomainError } from '../../core/errors.js';
import type { Actor } from '../../core/model/actor.js';
import type { PageOperation } from '../../core/model/page-token.js';
import { formatUtc } from '../../core/alerts/alert-messages.js';
import { alertReachNotice } from '../../core/alerts/deployment-channels.js';
import type { ChatReply } from './chat-reply.js';
import { isStepUpRefusal, stepUpLink } from './step-up-link.js';
import { CHAT_USAGE, type ChatCommand, type InvalidCommand } from './parse-chat-command.js';

/** Where links to the one-time pages point. */
export interface ChatContext {
  publicUrl: string;
  /** How the transport writes the command, e.g. "/dualkey" on Slack, "" on Teams. */
  prefix: string;
}

const ok = (title: string, more: Partial<ChatReply> = {}): ChatReply => ({ kind: 'ok', title, lines: [], fields: [], ...more });

const PAGE: Record<PageOperation, { label: string; note: string }> = {
  key_new: { label: 'Generate the new key', note: 'Choose a password there; the key file downloads once and dualkey cannot give it to you again.' },
  key_upload: { label: 'Upload the key file', note: 'Upload a password-protected PFX, or a BYOK file made for this tenant\'s key-exchange key.' },
  lock: { label: 'Confirm the lock', note: 'Type the instance name and present the current key file; a second admin must then approve.' },
  unlock: { label: 'Unlock with the key file', note: 'Present the key file the instance was locked with, and its password.' },
  cli_token: { label: 'Create your CLI token', note: 'The page shows your personal token once; save it to a file and run "dualkey --token-file <file> …". It acts as you, so keep it like a password.' },
};

/** Runs one chat command for an admin: the shared layer between chat transports and the core engine. */
export async function executeChatCommand(engine: Engine, actor: Actor, command: ChatCommand | InvalidCommand, ctx: ChatContext): Promise<ChatReply> {
  const usage = CHAT_USAGE.map((u) => `${ctx.prefix ? `${ctx.prefix} ` : ''}${u}`);
  try {
    switch (command.name) {
      case 'invalid':
        return { kind: 'usage', title: `Sorry, ${command.message}.`, lines: ['Commands:', ...usage], fields: [] };
      case 'help':
        return ok('dualkey manages the keys that encrypt your instances. Every key change and lock needs a second admin.', { lines: usage });
      case 'whoami':
        return ok(`You are ${actor.admin.name} <${actor.admin.email}>`, {
          fields: [['Role', `${actor.admin.role}${actor.admin.instances.length ? ` of ${actor.admin.instances.join(', ')}` : ''}`], ['Linked', actor.admin.identities.map((i) => `${i.platform} ${i.workspace}/${i.userId}`).join(', ') || 'none']],
        });
      case 'status': {
        const list = await engine.status(actor.admin.tenantId, command.instance);
        return ok(command.instance ? `Status of ${command.instance}` : `${list.length} instance${list.length === 1 ? '' : 's'}`, {
          fields: list.map((s) => [
            s.instance,
            `${s.state}, ${s.keyMode === 'customer' ? 'customer key' : 'service-managed key'} ${s.protector.name} (${s.protector.fingerprint})${s.pendingRequest ? ` — pending ${s.pendingRequest.type.replace('_', ' ')} ${s.pendingRequest.id}` : ''}${s.lockAllowedAt && new Date(s.lockAllowedAt) > engine.deps.clock.now() ? ` — lock allowed from ${formatUtc(new Date(s.lockAllowedAt))}` : ''}${describeCustody(s) ? ` — ${describeCustody(s)}` : ''}`,
          ]),
        });
      }
      case 'key_new':
      case 'key_upload':
      case 'lock':
      case 'unlock': {
        const { token, expiresAt } = await engine.issuePageLink(actor, command.name, command.instance);
        const page = PAGE[command.name];
        return ok(`${page.label} for ${command.instance}`, { lines: [page.note, 'The link works once, for you only, for 10 minutes. Never paste passwords or keys into chat.'], link: { url: `${ctx.publicUrl.replace(/\/$/, '')}/pages/${token}`, label: page.label, expiresAt } });
      }
      case 'key_revert': {
        const r = await engine.changeKey(actor, command.instance, { kind: 'revert' });
        // Say who was actually told, from the stored channels, as the pages and the CLI do.
        const told = alertReachNotice(await engine.alertReach(actor.admin.tenantId));
        return ok(`${command.instance} is back on a service-managed key`, { lines: [`Request ${r.request.id} awaits a second admin until ${formatUtc(r.request.deadline)}.`, told] });
      }
      case 'key_kek': {
        const kek = await engine.ensureKek(actor, actor.admin.tenantId);
        return ok(`Key-exchange key ${kek.kekId}`, { lines: ['Give this public key and its id to your HSM\'s BYOK export tool, then upload the .byok file with "key upload <instance>".'], code_block: kek.publicKeyPem.trim() });
      }
      case 'pending': {
        const list = await engine.listRequests(actor.admin.tenantId, false);
        return ok(list.length ? `${list.length} pending request${list.length === 1 ? '' : 's'}` : 'Nothing is pending.', {
          fields: list.map((r) => [r.id, `${r.type.replace('_', ' ')}${r.instanceName ? ` on ${r.instanceName}` : ''}${r.type === 'settings_change' ? ` (${String(r.payload.summary ?? '')})` : ''} by ${r.requesterEmail ?? 'a former admin'}, deadline ${formatUtc(r.deadline)}${r.progress ? `, ${describeProgress(r.progress)}` : ''}`]),
        });
      }
      case 'approve':
      case 'rollback':
      case 'reject': {
        let r;
        try {
          r = await engine.decide(actor, command.request, command.name, command.reason ?? null);
        } catch (e) {
          if (!isStepUpRefusal(e)) throw e;
          // The tenant wants a passkey for this decision: the refusal carries a one-time link to decide it in the console.
          const link = await stepUpLink(engine, actor, e, ctx.publicUrl);
          return { kind: 'refusal', code: e.code, title: e.message, lines: link ? ['The link works once, for you only, for 10 minutes; your passkey confirms the decision there.'] : [], fields: [], ...(link ? { link } : {}) };
        }
        // A k-of-n approval short of its count: recorded, still pending, and every copy of the alert shows the count.
        if (r.progress) return ok(`${r.id}: your approval is recorded — ${approvalCount(r.progress)}`, { lines: [describeProgress(r.progress), `It stays pending until ${r.progress.required - r.progress.approvers.length} more approve. Every admin has been told.`] });
        return ok(`${r.id} is now ${r.state.replace(/_/g, ' ')}`, { lines: ['Every admin has been told.'] });
      }
      case 'audit': {
        const entries = await engine.listAudit({ tenantId: actor.admin.tenantId, ...(command.instance ? { instanceName: command.instance } : {}) }, 20);
        return ok(`Last ${entries.length} audit entries${command.instance ? ` for ${command.instance}` : ''}`, {
          lines: entries.map((e) => `${formatUtc(e.at)} ${e.actor.email ?? e.actor.kind} [${e.transport}] ${e.action}${e.instanceName ? ` ${e.instanceName}` : ''}${e.requestId ? ` ${e.requestId}` : ''} → ${e.result}${e.code ? ` (${e.code})` : ''}`),
        });
      }
      case 'cli_token': {
        // The token itself never passes through chat: it is shown once on a one-time page, to this admin only.
        const { token, expiresAt } = await engine.issuePageLink(actor, 'cli_token', '');
        const page = PAGE.cli_token;
        return ok(page.label, { lines: [page.note, 'The link works once, for you only, for 10 minutes.'], link: { url: `${ctx.publicUrl.replace(/\/$/, '')}/pages/${token}`, label: page.label, expiresAt } });
      }
      case 'console': {
        // A sign-in link is a credential: every transport sends it privately, like the secrets-page links.
        const { token, expiresAt } = await engine.issueSignInLink(actor.admin, actor.transport);
        return ok('Sign in to the dualkey console', {
          lines: ['The link works once, for you only, for 10 minutes. Open it in your browser; it signs you in there.'],
          link: { url: `${ctx.publicUrl.replace(/\/$/, '')}/console/sign-in/${token}`, label: 'Open the dualkey console', expiresAt },
        });
      }
      case 'admins': {
        const admins = await engine.listAdmins(actor.admin.tenantId);
        return ok(`${admins.length} admins`, { fields: admins.map((a) => [a.email, `${a.name}, ${a.role}${a.instances.length ? ` of ${a.instances.join(', ')}` : ''}`]) });
      }
    }
  } catch (e) {
    if (isDomainError(e)) return { kind: 'refusal', code: e.code, title: e.message, lines: [], fields: [] };
    throw e;
  }
}
