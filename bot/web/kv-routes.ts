import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../../core/engine.js';
import { DomainError, isDomainError, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/ports/logger.js';
import { sendError, sendJson } from './http-errors.js';
import type { Route } from './route.js';

const DATA = /^\/v1\/mariadb\/([a-z0-9][a-z0-9-]*)\/data\/([^/]+)$/;
const TUNE = /^\/v1\/sys\/mounts\/mariadb\/([a-z0-9][a-z0-9-]*)\/tune$/;

/** Vault answers a bad token with 403 (the plugin only tells success from failure, but operators read the status). */
const VAULT_STATUS: Partial<Record<ErrorCode, number>> = {
  token_invalid: 403,
  token_instance_mismatch: 403,
  instance_locked: 423,
  instance_not_found: 404,
  db_key_not_found: 404,
  invalid_input: 400,
  operation_in_progress: 503,
  key_inaccessible: 503,
};

/** The one place the KV endpoint maps refusals: Vault's `{"errors":[…]}` body plus dualkey's code. Never key material. */
function sendVaultError(res: ServerResponse, e: unknown, logger: Logger): void {
  if (!isDomainError(e) || VAULT_STATUS[e.code] === undefined) return sendError(res, e, logger);
  sendJson(res, VAULT_STATUS[e.code]!, { errors: e.code === 'db_key_not_found' ? [] : [e.message], error: { code: e.code, message: e.message } });
}

function tokenOf(req: IncomingMessage): string {
  const t = req.headers['x-vault-token'];
  return typeof t === 'string' ? t : '';
}

function positive(text: string | null, what: string): number | null {
  if (text === null || text === '') return null;
  if (!/^\d{1,10}$/.test(text)) throw new DomainError('invalid_input', `${what} must be a whole number.`);
  return Number(text);
}

/** GET /v1/mariadb/{instance}/data/{keyId}[?version=N] and GET /v1/sys/mounts/mariadb/{instance}/tune (Vault KV v2, what MariaDB reads). */
export function kvRoutes(engine: Engine, logger: Logger): Route[] {
  const guarded = (fn: (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => Promise<void>) => async (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => {
    try {
      await fn(req, res, m);
    } catch (e) {
      sendVaultError(res, e, logger);
    }
  };
  return [
    {
      name: 'kv.data',
      method: 'GET',
      path: DATA,
      handler: guarded(async (req, res, m) => {
        const keyId = positive(m[2]!, 'The key id');
        const version = positive(new URL(req.url ?? '/', 'http://localhost').searchParams.get('version'), 'version');
        const key = await engine.kv.key(tokenOf(req), m[1]!, keyId!, version);
        // version is a JSON number: the plugin rejects a string (and then logs the whole response, key included).
        sendJson(res, 200, {
          data: {
            data: { data: key.material.toString('hex') },
            metadata: { created_time: key.createdAt.toISOString(), deletion_time: '', destroyed: false, version: key.version },
          },
        });
      }),
    },
    {
      name: 'kv.tune',
      method: 'GET',
      path: TUNE,
      handler: guarded(async (req, res, m) => {
        await engine.kv.authorize(tokenOf(req), m[1]!);
        sendJson(res, 200, { options: { version: '2' }, description: `dualkey database keys of ${m[1]!}` });
      }),
    },
  ];
}
