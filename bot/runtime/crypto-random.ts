import { randomBytes } from 'node:crypto';
import type { Random } from '../../core/ports/random.js';

/** The production randomness source: the OS CSPRNG. */
export const cryptoRandom: Random = { bytes: (n) => randomBytes(n) };
