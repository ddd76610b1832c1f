import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_RECORD_BYTES } from '../../core/data-plane/record-service.js';
import type { Engine } from '../../core/engine.js';
import { DomainError } from '../../core/errors.js';
import { sendJson } from './http-errors.js';
import { readBody } from './read-body.js';
import type { Route } from './route.js';

const RECORD = /^\/v1\/instances\/([^/]+)\/records\/(.+)$/;
const RECORDS = /^\/v1\/instances\/([^/]+)\/records\/?$/;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new DomainError('invalid_input', 'The URL is not validly percent-encoded.');
  }
}

/** Resolves the bearer token and checks it is bound to the instance in the path. */
async function authorize(engine: Engine, req: IncomingMessage, instanceName: string) {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new DomainError('token_invalid', 'Send "Authorization: Bearer <token>"; get a token with "dualkey instance token <instance>".');
  const ref = await engine.resolveToken(m[1]!);
  if (ref.name !== instanceName) throw new DomainError('token_instance_mismatch', `This token is for instance ${ref.name}, not ${instanceName}.`);
  return ref;
}

/** PUT|GET|DELETE /v1/instances/{instance}/records/{key} and GET /v1/instances/{instance}/records?prefix= */
export function dataPlaneRoutes(engine: Engine): Route[] {
  const withRecord = (fn: (req: IncomingMessage, res: ServerResponse, ref: Awaited<ReturnType<typeof authorize>>, key: string) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => {
      const ref = await authorize(engine, req, decode(m[1]!));
      await fn(req, res, ref, decode(m[2]!));
    };
  return [
    {
      name: 'data.put',
      method: 'PUT',
      path: RECORD,
      handler: withRecord(async (req, res, ref, key) => {
        const body = await readBody(req, MAX_RECORD_BYTES);
        const { created } = await engine.records.put(ref, key, body);
        sendJson(res, created ? 201 : 200, { instance: ref.name, key, bytes: body.length });
      }),
    },
    {
      name: 'data.get',
      method: 'GET',
      path: RECORD,
      handler: withRecord(async (_req, res, ref, key) => {
        const value = await engine.records.get(ref, key);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': value.length, 'cache-control': 'no-store' });
        res.end(value);
      }),
    },
    {
      name: 'data.delete',
      method: 'DELETE',
      path: RECORD,
      handler: withRecord(async (_req, res, ref, key) => {
        const existed = await engine.records.delete(ref, key);
        if (!existed) throw new DomainError('record_not_found', `There is no record "${key.slice(0, 100)}".`);
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
      }),
    },
    {
      name: 'data.list',
      method: 'GET',
      path: RECORDS,
      handler: async (req, res, m) => {
        const ref = await authorize(engine, req, decode(m[1]!));
        const prefix = new URL(req.url ?? '/', 'http://localhost').searchParams.get('prefix') ?? '';
        sendJson(res, 200, { instance: ref.name, keys: await engine.records.list(ref, prefix) });
      },
    },
  ];
}
