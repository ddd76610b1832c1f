import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../core/engine.js';
import type { HotPath } from '../../../core/ports/hot-path.js';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const file = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
const WINDOW_MS = 250;

/**
 * Issue 10 item 1: the MariaDB key server answers a token from memory for a short window, so a
 * request costs no database round trip; a state change still refuses at once where it is made and
 * within that window (or the key-cache sweep) on every other replica.
 */
describe('the KV key server keeps a token\'s grant for a short window', () => {
  let h: Harness;
  let s: Seeded;
  let token: string;
  let reads: number;

  /** A server process on the same database with the grant window on; its token reads are counted (the real hot path, observed). */
  function replica(windowMs: number): Engine {
    const hot: HotPath = { ...h.db.uow.hot, grant: (hash) => (reads++, h.db.uow.hot.grant(hash)) };
    const uow: UnitOfWork = { run: (fn) => h.db.uow.run(fn), hot };
    return createEngine({ ...h.engine.deps, uow, kvGrantCacheMs: windowMs });
  }

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    token = await h.engine.issueToken(s.tenant.id, s.instance);
    await h.engine.initDbKeys(s.tenant.id, s.instance);
    reads = 0;
  });
  afterEach(() => h.dispose());

  it('answers a token from memory within its window and reads it afresh once the window ends', async () => {
    const server = replica(WINDOW_MS);
    const first = await server.kv.key(token, s.instance, 1, null);
    for (let i = 0; i < 5; i++) expect((await server.kv.key(token, s.instance, 1, null)).material).toEqual(first.material);
    expect(reads).toBe(1);
    h.clock.advanceMs(WINDOW_MS);
    await server.kv.key(token, s.instance, 1, null);
    expect(reads).toBe(2);
  });

  it('reads every request afresh with a window of 0', async () => {
    const server = replica(0);
    for (let i = 0; i < 3; i++) await server.kv.key(token, s.instance, 1, null);
    expect(reads).toBe(3);
  });

  it('refuses at once after a lock the same process approves', async () => {
    const server = replica(WINDOW_MS);
    await server.kv.key(token, s.instance, 1, null);
    h.clock.advanceHours(72);
    const lock = await server.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await server.decide(s.bob, lock.id, 'approve');
    expect((await refusal(() => server.kv.key(token, s.instance, 1, null))).code).toBe('instance_locked');
  });

  it('serves a rotated version at once when this process rotates, and at the window end when another one does', async () => {
    const server = replica(WINDOW_MS);
    const other = replica(WINDOW_MS);
    expect((await server.kv.key(token, s.instance, 1, null)).version).toBe(1);
    expect((await other.kv.key(token, s.instance, 1, null)).version).toBe(1);
    await server.rotateDbKey(s.tenant.id, s.instance, 1);
    expect((await server.kv.key(token, s.instance, 1, null)).version).toBe(2);
    h.clock.advanceMs(WINDOW_MS);
    expect((await other.kv.key(token, s.instance, 1, null)).version).toBe(2);
  });

  it('refuses after a lock approved elsewhere at this replica\'s next sweep, or when the window ends without one', async () => {
    const swept = replica(WINDOW_MS);
    const unswept = replica(WINDOW_MS);
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await swept.kv.key(token, s.instance, 1, null);
    await unswept.kv.key(token, s.instance, 1, null);
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect(await swept.dropStaleKeys()).toBeGreaterThan(0);
    expect((await refusal(() => swept.kv.key(token, s.instance, 1, null))).code).toBe('instance_locked');
    // The documented bound: a replica that has not swept yet answers from memory until its window ends, then refuses.
    await unswept.kv.key(token, s.instance, 1, null);
    h.clock.advanceMs(WINDOW_MS);
    expect((await refusal(() => unswept.kv.key(token, s.instance, 1, null))).code).toBe('instance_locked');
  });

  it('does not keep a grant for a wrong token or another instance\'s name', async () => {
    const server = replica(WINDOW_MS);
    await server.kv.key(token, s.instance, 1, null);
    expect((await refusal(() => server.kv.key(`${token}x`, s.instance, 1, null))).code).toBe('token_invalid');
    expect((await refusal(() => server.kv.key(token, 'other-db', 1, null))).code).toBe('token_instance_mismatch');
  });
});
