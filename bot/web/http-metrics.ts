/** Request counters by route and status, rendered in the Prometheus text format. */
export class HttpMetrics {
  private readonly counts = new Map<string, number>();

  /** Counts one finished request. */
  record(route: string, status: number): void {
    const k = `${route}\u0000${status}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** The counters as `dualkey_http_requests_total{route,status}` lines. */
  render(): string {
    const lines = ['# HELP dualkey_http_requests_total HTTP requests handled.', '# TYPE dualkey_http_requests_total counter'];
    for (const [k, v] of [...this.counts].sort()) {
      const [route, status] = k.split('\u0000');
      lines.push(`dualkey_http_requests_total{route="${route}",status="${status}"} ${v}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
