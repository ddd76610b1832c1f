import type { FakeSmtpServer } from './fake-smtp-server.js';

/** One e-mail as an admin sees it in a mail client: subject, and which earlier message (if any) it replies to. */
export interface InboxLine {
  subject: string;
  /** The Message-ID this one replies to, or null for a new thread. */
  inReplyTo: string | null;
}

/** What `address` received (one copy per Message-ID), in arrival order, as (subject, In-Reply-To). */
export function inbox(smtp: FakeSmtpServer, address: string): InboxLine[] {
  return smtp.mailbox(address).map((m) => ({ subject: m.subject, inReplyTo: m.inReplyTo }));
}

/** The Message-ID of the mail `address` received with exactly this subject (fails loudly when there is not exactly one). */
export function messageIdOf(smtp: FakeSmtpServer, address: string, subject: string): string {
  const hits = smtp.mailbox(address).filter((m) => m.subject === subject);
  if (hits.length !== 1 || !hits[0]!.messageId) throw new Error(`${address} has ${hits.length} mails with subject "${subject}"`);
  return hits[0]!.messageId;
}

/** Accepted SMTP transfers per Message-ID, repeats included (the raw count, not the deduplicating mailbox). */
export function sendsPerMessageId(smtp: FakeSmtpServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of smtp.deliveries) {
    const id = m.messageId ?? '(no Message-ID)';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Message-IDs that went over the wire more than once (empty when every message was sent exactly once). */
export function repeatedSends(smtp: FakeSmtpServer): Array<[messageId: string, sends: number]> {
  return [...sendsPerMessageId(smtp)].filter(([, n]) => n !== 1);
}
