import { formatUtc } from '../../../core/alerts/alert-messages.js';
import { alertReachNotice } from '../../../core/alerts/deployment-channels.js';
import type { Engine } from '../../../core/engine.js';
import { DomainError } from '../../../core/errors.js';
import type { Actor } from '../../../core/model/actor.js';
import type { PageToken } from '../../../core/model/page-token.js';
import type { ResultView } from './render-result-page.js';
import type { WebAuthnVerifier } from '../../../core/ports/webauthn.js';

/** A completed operation: a result page, or (key_new) the one-time PFX download. */
export type PageOutcome =
  | { kind: 'result'; view: ResultView }
  | { kind: 'download'; pfx: Buffer; filename: string; requestId: string };

const text = (form: FormData, name: string): string => {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
};

/** A posted passkey response: anything but a JSON object counts as none (the engine then refuses it). */
function parseJsonObject(value: string): unknown {
  try {
    const v: unknown = JSON.parse(value.slice(0, 64 * 1024));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

async function keyFile(form: FormData): Promise<Buffer> {
  const v = form.get('keyfile');
  if (v === null || typeof v === 'string' || v.size === 0) {
    throw new DomainError('invalid_input', 'Choose the key file: a password-protected .pfx / .p12 file, or a .byok file.');
  }
  return Buffer.from(await v.arrayBuffer());
}

/** Runs the link's operation with the posted fields, as the link's admin; refusals are the engine's DomainErrors. */
export async function runPageOperation(engine: Engine, actor: Actor, page: PageToken, form: FormData, webauthn: WebAuthnVerifier): Promise<PageOutcome> {
  const instance = page.instanceName;
  if (page.operation === 'key_new') {
    const password = text(form, 'password');
    if (password !== text(form, 'password2')) throw new DomainError('invalid_input', 'The two passwords differ. Type the same password in both fields.');
    const keyName = text(form, 'keyName').trim();
    if (keyName.length > 100) throw new DomainError('invalid_input', 'The key name is too long: use at most 100 characters.');
    const r = await engine.changeKey(actor, instance, { kind: 'generate', password, keyName: keyName || undefined });
    if (!r.pfx) throw new Error('key generation returned no PFX');
    return { kind: 'download', pfx: r.pfx, filename: `${instance}-${r.request.openedAt.toISOString().slice(0, 10)}.pfx`, requestId: r.request.id };
  }
  if (page.operation === 'cli_token') {
    const { token, cliToken } = await engine.createCliToken(actor, text(form, 'label'));
    return {
      kind: 'result',
      view: {
        title: 'Your CLI token (shown once)',
        facts: [['Token', token], ['Token id', cliToken.id], ['Label', cliToken.label]],
        next: [
          'Copy the token into a file only you can read (e.g. chmod 600 ~/.dualkey-token), then run: dualkey --token-file ~/.dualkey-token status',
          'dualkey keeps only its hash and cannot show it again. Never paste it into chat. Revoke it in the console (CLI tokens) when you no longer need it.',
        ],
      },
    };
  }
  const file = await keyFile(form);
  const password = text(form, 'password') || undefined;
  // Who was told and where: read after the change, from the deployment's stored channels.
  const alerted = async () => alertReachNotice(await engine.alertReach(actor.admin.tenantId));
  try {
    switch (page.operation) {
      case 'key_upload': {
        const r = await engine.changeKey(actor, instance, { kind: 'upload', upload: { file, password } });
        return {
          kind: 'result',
          view: {
            title: `${instance} is now protected by your key`,
            facts: [['Request', r.request.id], ['Key', r.protector.name], ['Fingerprint', r.protector.fingerprint], ['Review deadline', formatUtc(r.request.deadline)]],
            next: [await alerted(), `Another admin must approve request ${r.request.id} (or roll it back) before ${formatUtc(r.request.deadline)}.`],
          },
        };
      }
      case 'lock': {
        const request = await engine.requestLock(actor, instance, { confirm: text(form, 'confirm'), upload: { file, password } });
        return {
          kind: 'result',
          view: {
            title: `Lock of ${instance} requested`,
            facts: [['Request', request.id], ['Approval deadline', formatUtc(request.deadline)]],
            next: [await alerted(), `Nothing changes until another admin approves request ${request.id}, before ${formatUtc(request.deadline)}. Keep the key file and its password: they are the only way to unlock.`],
          },
        };
      }
      case 'unlock': {
        // With step-up on for unlock, the page's ceremony filled `response` with a passkey assertion.
        const response = text(form, 'response');
        if (response) await engine.unlockWithStepUp(webauthn, actor, instance, { file, password }, parseJsonObject(response));
        else await engine.unlock(actor, instance, { file, password });
        return {
          kind: 'result',
          view: { title: `${instance} is unlocked`, facts: [['Instance', instance], ['State', 'active']], next: [await alerted(), `${instance} is active again and its data readable.`] },
        };
      }
    }
  } finally {
    file.fill(0);
  }
}
