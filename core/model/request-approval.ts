/** One admin's recorded approval of a request that needs more than one (k-of-n). */
export interface RequestApproval {
  requestId: string;
  adminId: string;
  at: Date;
  transport: 'cli' | 'slack' | 'teams' | 'web' | 'system';
}

/** Where a k-of-n request stands: how many approvals it needs and who has approved so far (oldest first). */
export interface ApprovalProgress {
  required: number;
  approvers: Array<{ adminId: string; email: string; name: string; at: Date }>;
}

/** "1 of 2 approvals": the count as every copy of the alert shows it. */
export function approvalCount(progress: ApprovalProgress): string {
  return `${progress.approvers.length} of ${progress.required} approval${progress.required === 1 ? '' : 's'}`;
}
