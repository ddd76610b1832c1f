import { createRequire } from 'node:module';
import type Forge from 'node-forge';

const require = createRequire(import.meta.url);
let loaded: typeof Forge | null = null;

/**
 * node-forge, loaded on first use: it costs ~60 ms to load, and only key-file work needs it (PFX,
 * certificates, RC2), so `status`, `requests` and the data plane never pay for it (issue 12).
 */
export function forge(): typeof Forge {
  return (loaded ??= require('node-forge') as typeof Forge);
}
