import { Worker } from 'node:worker_threads';

/** What one load run measured: milliseconds from send to the ack's answer, per request, and replies the sink received. */
export interface LoadResult {
  times: number[];
  replies: number;
}

// Plain JavaScript so the worker needs no TypeScript loader: a response_url sink, and a client that signs
// and sends `n` slash commands with `concurrency` in flight, timing each until its HTTP answer.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac, randomBytes } = require('node:crypto');
const http = require('node:http');
let replies = 0;
const sink = http.createServer((req, res) => { req.resume(); req.on('end', () => { replies++; res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'); }); });
sink.listen(0, '127.0.0.1', () => {
  const sinkUrl = 'http://127.0.0.1:' + sink.address().port + '/response/';
  parentPort.postMessage({ ready: true });
  parentPort.on('message', async (job) => {
    if (job.replies) return parentPort.postMessage({ replies });
    if (job.close) return sink.close(() => parentPort.close());
    const { url, secret, n, concurrency, text, team, user } = job;
    const times = [];
    let next = 0, failed = null;
    const worker = async () => {
      while (next < n && !failed) {
        const i = next++;
        const body = new URLSearchParams({ team_id: team, user_id: user, command: '/dualkey', text, response_url: sinkUrl + i, trigger_id: randomBytes(8).toString('hex') }).toString();
        const ts = String(Math.floor(Date.now() / 1000));
        const signature = 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex');
        const t0 = performance.now();
        const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature } });
        await res.arrayBuffer();
        times.push(performance.now() - t0);
        if (res.status !== 200) failed = 'ack answered ' + res.status;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    parentPort.postMessage({ times, failed });
  });
});
`;

/** A load generator in its own thread, so neither server under test shares an event loop with the client. */
export class SlackLoad {
  private constructor(private readonly worker: Worker) {}

  static async start(): Promise<SlackLoad> {
    const worker = new Worker(WORKER, { eval: true });
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    return new SlackLoad(worker);
  }

  /** Sends `n` signed `/dualkey <text>` commands to `url`, `concurrency` at a time. */
  async run(job: { url: string; secret: string; n: number; concurrency: number; text: string; team: string; user: string }): Promise<number[]> {
    const result = await this.ask<{ times: number[]; failed: string | null }>(job);
    if (result.failed) throw new Error(result.failed);
    return result.times;
  }

  /** How many private replies reached the response_url sink so far. */
  async replies(): Promise<number> {
    return (await this.ask<{ replies: number }>({ replies: true })).replies;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ close: true });
    await new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
  }

  private ask<T>(message: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      this.worker.once('error', fail);
      this.worker.once('message', (m: T) => {
        this.worker.off('error', fail);
        resolve(m);
      });
      this.worker.postMessage(message);
    });
  }
}
