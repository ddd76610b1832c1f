/** A channel an alert can travel on. */
export type Channel = 'email' | 'slack' | 'teams';

/** An action button on an alert. */
export interface MessageAction {
  id: 'approve' | 'rollback' | 'reject';
  label: string;
  style: 'primary' | 'danger';
  requestId: string;
  /** Text of the confirmation dialog for dangerous actions. */
  confirm: string | null;
}

/** The neutral message model every channel renders. */
export interface AlertMessage {
  event: string;
  title: string;
  facts: Array<[label: string, value: string]>;
  actions: MessageAction[];
  status: string | null;
  requestId: string | null;
  instanceName: string | null;
}

/** One alert for one admin on one channel. */
export interface OutboxMessage {
  id: string;
  tenantId: string;
  eventId: string;
  adminId: string;
  channel: Channel;
  message: AlertMessage;
  createdAt: Date;
}
