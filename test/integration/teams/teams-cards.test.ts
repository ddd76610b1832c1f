import { describe, expect, it } from 'vitest';
import { keyChangeOpened, lockRequested, requestDecided } from '../../../core/alerts/alert-messages.js';
import type { Admin } from '../../../core/model/admin.js';
import type { Request } from '../../../core/model/request.js';
import { parseCardActionData, renderAlertCard } from '../../../bot/teams/alert-card.js';
import { renderReplyCard } from '../../../bot/teams/reply-card.js';
import { teamsLogger } from '../../../bot/teams/teams-logger.js';
import { MemoryLogger } from '../../support/engine-harness.js';
import { cardText } from '../../support/fake-teams-connector.js';

type Json = Record<string, unknown>;
type Action = { type: string; verb: string; title: string; style: string; data: Json };

const ann: Admin = { id: 'a1', tenantId: 't1', email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [], createdAt: new Date(0) };
const request = (type: Request['type'], state: Request['state'] = 'pending'): Request => ({
  id: 'req-42', tenantId: 't1', instanceId: 'i1', type, state, requestedBy: 'a1', requestedVia: 'slack',
  payload: { operation: type === 'lock' ? 'lock' : 'upload', keyName: 'crm-prod Encryption Key', fingerprint: 'sha256:abc', previousKeyName: 'old', previousFingerprint: 'sha256:old' },
  openedAt: new Date('2026-11-29T09:00:00Z'), deadline: new Date('2026-12-02T09:00:00Z'),
  decidedBy: state === 'pending' ? null : 'b1', decidedAt: state === 'pending' ? null : new Date('2026-11-29T10:00:00Z'), decisionReason: null,
});
const actions = (card: unknown) => ((card as Json).actions as Action[] | undefined) ?? [];

/** Alert and reply cards: Adaptive Cards 1.5 with Action.Execute buttons the card-action handler understands. */
describe('Teams cards', () => {
  it('renders a key-change alert with Approve (positive) and Roll back (destructive) Action.Execute buttons naming the request and outbox row', () => {
    const card = renderAlertCard(keyChangeOpened(request('key_change'), 'crm-prod', ann, 'rollback'), { outboxId: 'row-7' });
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(actions(card).map((a) => [a.type, a.verb, a.title, a.style])).toEqual([['Action.Execute', 'approve', 'Approve', 'positive'], ['Action.Execute', 'rollback', 'Roll back', 'destructive']]);
    expect(actions(card)[0]!.data).toEqual({ dualkey: 'decide', requestId: 'req-42', outboxId: 'row-7' });
    expect(cardText(card)).toContain('sha256:abc');
  });

  it('renders a lock alert with Approve lock / Reject, and its confirmation with Yes / Cancel', () => {
    const message = lockRequested(request('lock'), 'crm-prod', ann);
    expect(actions(renderAlertCard(message)).map((a) => a.title)).toEqual(['Approve lock', 'Reject']);
    const confirming = renderAlertCard(message, { outboxId: 'row-8', confirming: message.actions[0]!, notice: { text: message.actions[0]!.confirm!, color: 'Warning' } });
    expect(cardText(confirming)).toContain('Lock crm-prod? It goes offline');
    expect(actions(confirming).map((a) => [a.verb, a.title, a.data.confirmed ?? false])).toEqual([['approve', 'Yes, approve lock', true], ['cancel', 'Cancel', false]]);
  });

  it('renders a decision without buttons and with its status', () => {
    const card = renderAlertCard(requestDecided(request('key_change', 'approved'), 'crm-prod', { ...ann, email: 'bob@example.com' }));
    expect(actions(card)).toEqual([]);
    expect(cardText(card)).toContain('Status: approved by bob@example.com at 2026-11-29 10:00 UTC');
  });

  it.each([
    ['a foreign button', { verb: 'x' }],
    ['no request id', { dualkey: 'decide' }],
    ['a huge request id', { dualkey: 'decide', requestId: 'r'.repeat(500) }],
    ['not an object', 'approve req-42'],
  ])('ignores the data of %s', (_what, data) => {
    expect(parseCardActionData(data)).toBeNull();
  });

  it('renders a reply with a one-time link as an Action.OpenUrl button, and a refusal with its code', () => {
    const expiresAt = new Date('2026-11-29T09:10:00Z');
    const linked = renderReplyCard({ kind: 'ok', title: 'Generate the new key for crm-prod', lines: ['once'], fields: [], link: { url: 'https://dualkey.example.com/pages/tok', label: 'Generate the new key', expiresAt } });
    expect(actions(linked)).toEqual([expect.objectContaining({ type: 'Action.OpenUrl', url: 'https://dualkey.example.com/pages/tok', title: 'Generate the new key' })]);
    const refused = renderReplyCard({ kind: 'refusal', code: 'self_approval', title: 'You requested this change', lines: [], fields: [] });
    expect(cardText(refused)).toContain('Code: self_approval');
    expect(((refused as unknown as Json).body as Json[])[0]).toMatchObject({ color: 'Attention' });
  });

  it('never writes a bearer token the SDK passes to its logger', () => {
    const logger = new MemoryLogger();
    const sdk = teamsLogger(logger);
    sdk.error('request failed', { headers: { Authorization: 'Bearer eyJhbGciOi.secret.sig' } });
    sdk.child('http').warn(Object.assign(new Error('Request failed with status code 429'), { response: { status: 429 } }));
    sdk.debug('dropped');
    expect(logger.lines).toHaveLength(2);
    expect(logger.lines.join('\n')).not.toContain('eyJhbGciOi');
    expect(logger.lines[1]).toContain('teams/http: Error: Request failed with status code 429 (HTTP 429)');
  });
});
