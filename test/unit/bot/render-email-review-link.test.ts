import { describe, expect, it } from 'vitest';
import { renderEmailHtml, renderEmailText } from '../../../bot/channels/render-email.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';

const alert: AlertMessage = {
  event: 'key_change_opened', title: 'Key changed on crm-prod', facts: [['Instance', 'crm-prod']], status: null, requestId: 'r-abcdefghij', instanceName: 'crm-prod',
  actions: [{ id: 'approve', label: 'Approve', style: 'primary', requestId: 'r-abcdefghij', confirm: null }],
};

describe('e-mail alerts link to the console', () => {
  it('carry "Review in dualkey" to the request\'s console page, and no link that decides', () => {
    const ctx = { recipientEmail: 'bob@example.com', publicUrl: 'https://dualkey.example.com/' };
    expect(renderEmailText(alert, ctx)).toContain('Review in dualkey: https://dualkey.example.com/console/requests/r-abcdefghij');
    const htmlBody = renderEmailHtml(alert, ctx);
    expect(htmlBody).toContain('<a href="https://dualkey.example.com/console/requests/r-abcdefghij">Review in dualkey</a>');
    const links = [...htmlBody.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['https://dualkey.example.com/console/requests/r-abcdefghij']);
  });

  it('carry no console link for messages about no request, or without a public URL', () => {
    expect(renderEmailText({ ...alert, requestId: null }, { recipientEmail: 'bob@example.com', publicUrl: 'https://dualkey.example.com' })).not.toContain('Review in dualkey');
    expect(renderEmailText(alert, { recipientEmail: 'bob@example.com' })).not.toContain('Review in dualkey');
  });
});
