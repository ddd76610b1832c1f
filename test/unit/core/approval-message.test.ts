import { describe, expect, it } from 'vitest';
import { approvalRecorded, withApprovalsNeeded } from '../../../core/alerts/approval-message.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';
import type { Request } from '../../../core/model/request.js';

const alert: AlertMessage = {
  event: 'lock_requested', title: 'Lock requested on crm-prod by ann@example.com', requestId: 'r-1', instanceName: 'crm-prod', status: null,
  facts: [['Instance', 'crm-prod'], ['Request', 'r-1']],
  actions: [{ id: 'approve', label: 'Approve lock', style: 'danger', requestId: 'r-1', confirm: 'Lock crm-prod?' }],
};
const at = new Date('2026-12-02T09:14:00Z');
const request = (approvalsRequired: number) => ({ id: 'r-1', settings: { reviewWindowHours: 72, lockCooldownHours: 72, lockApprovalTtlHours: 24, unreviewedChangePolicy: 'rollback', approvalsRequired } }) as Request;

describe('the k-of-n count on an alert', () => {
  it('heads the original alert with the count and names who approved when, before the request id, keeping the buttons', () => {
    const m = approvalRecorded(alert, { required: 2, approvers: [{ adminId: 'b', email: 'bob@example.com', name: 'Bob', at }] });
    expect(m.event).toBe('approval_recorded');
    expect(m.title).toBe('1 of 2 approvals (Bob) — Lock requested on crm-prod by ann@example.com');
    expect(m.facts).toEqual([['Instance', 'crm-prod'], ['Approvals', '1 of 2 approvals: Bob <bob@example.com> at 2026-12-02 09:14 UTC'], ['Request', 'r-1']]);
    expect(m.actions).toEqual(alert.actions);
    // A later count replaces the earlier one instead of adding a second fact.
    const again = approvalRecorded(m, { required: 3, approvers: [] });
    expect(again.facts.filter(([l]) => l === 'Approvals')).toEqual([['Approvals', '0 of 3 approvals']]);
  });

  it('says up front what a new request needs only when it needs more than one approver', () => {
    expect(withApprovalsNeeded(request(1), alert)).toBe(alert);
    const m = withApprovalsNeeded(request(2), alert);
    expect(m).toMatchObject({ event: 'lock_requested', title: alert.title });
    expect(m.facts).toContainEqual(['Approvals', '0 of 2 approvals']);
  });
});
