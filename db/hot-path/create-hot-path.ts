import type { HotPath } from '../../core/ports/hot-path.js';
import type { StatementRunner } from '../prepared/prepared-statement.js';
import { GRANT, READ_RECORD, toGrant, toRecordRead, writeRecordGuarded } from './hot-statements.js';

/** The data plane's HotPath over a runner of prepared, autocommit statements (PGlite or postgres.js). */
export function createHotPath(runner: StatementRunner): HotPath {
  return {
    grant: async (tokenHash) => toGrant((await runner.run(GRANT, [tokenHash]))[0]),
    readRecord: async (instanceId, key) => toRecordRead((await runner.run(READ_RECORD, [instanceId, key]))[0]),
    writeRecord: (instanceId, generation, record) => writeRecordGuarded((s, p) => runner.run(s, p), instanceId, generation, record),
  };
}
