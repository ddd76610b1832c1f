import { createHmac } from 'node:crypto';
import type { HookTarget } from '../../core/hooks/hook-target.js';
import type { AlertChannel, DeliveryResult, OutgoingAlert } from '../../core/ports/alert-channel.js';
import type { Clock } from '../../core/ports/clock.js';

/** What the webhook channel needs: the instance's current hook (URL and unsealed key) and the time to sign with. */
export interface WebhookChannelOptions {
  target(instanceId: string): Promise<HookTarget | null>;
  clock: Clock;
  /** How long a receiver may take to answer (it stops its database first); a timeout is retried. */
  timeoutMs?: number;
}

/** `X-Dualkey-Signature`: `sha256=` + hex HMAC-SHA256, under the hook's secret, of `<timestamp>.<body>`. */
export function signHookBody(secret: Buffer, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  return null;
}

/**
 * Posts instance events (`message.body`) to offline hooks: signed JSON, the outbox row id as idempotency
 * key (the same on every retry), redirects not followed. 2xx is delivered; 408, 429, 5xx, timeouts and
 * network errors are retried by the outbox with backoff; any other answer is final.
 */
export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;

  constructor(private readonly o: WebhookChannelOptions) {}

  async deliver(alert: OutgoingAlert): Promise<DeliveryResult> {
    if (!alert.address || !alert.message.body) return { ok: false, retryable: false, retryAfterMs: null, error: 'not an offline-hook event' };
    const target = await this.o.target(alert.address);
    if (!target) return { ok: false, retryable: false, retryAfterMs: null, error: 'the instance has no offline hook any more' };
    const body = JSON.stringify(alert.message.body);
    const timestamp = String(Math.floor(this.o.clock.now().getTime() / 1000));
    const signature = signHookBody(target.secret, timestamp, body);
    target.secret.fill(0);
    const host = new URL(target.url).host;
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'dualkey-offline-hook/1',
          'x-dualkey-event': alert.message.event,
          'x-dualkey-timestamp': timestamp,
          'x-dualkey-signature': signature,
          'idempotency-key': alert.idempotencyKey,
        },
        body,
      });
    } catch (e) {
      // The URL's path and query may be meaningful to the receiver; errors name only its host.
      const why = e instanceof Error && e.name === 'TimeoutError' ? 'no answer in time' : e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      return { ok: false, retryable: true, retryAfterMs: null, error: `offline hook ${host}: ${why}` };
    }
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, platformRef: { status: String(res.status), host } };
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    return { ok: false, retryable, retryAfterMs: retryable ? retryAfterMs(res.headers.get('retry-after')) : null, error: `offline hook ${host} answered ${res.status}` };
  }

  /** Hook events are never updated in place; an update is sent as a new delivery. */
  update(alert: OutgoingAlert): Promise<DeliveryResult> {
    return this.deliver(alert);
  }
}
