/** Key files (DESIGN §3): the public surface of core/keyfiles. */
export type { ParsedKey } from './parsed-key.js';
export { fingerprintSpki } from './fingerprint.js';
export { MAX_KEYFILE_BYTES } from './limits.js';
export { describePrivateKey } from './describe-private-key.js';
export { parsePfx } from './parse-pfx.js';
export { parseByokFile, byokUnwrapFailed, type ByokEnvelope } from './byok.js';
export { describePublicKey } from './describe-public-key.js';
export { detectKeyFileFormat } from './read-key-file.js';
export { generatePfx } from './generate-pfx.js';
