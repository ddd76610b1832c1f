import { setFlagsFromString } from 'node:v8';

/**
 * Keeps WebAssembly on V8's baseline compiler (Liftoff) for the rest of this process. Called by a
 * one-shot CLI command before the embedded PGlite is compiled: the optimizing tier (TurboFan) then
 * compiles hot postgres functions on background threads that compete with the command for the two
 * cores, and V8 waits for those compilations at exit, which made `dualkey status` alone ~0.35 s
 * slower (1.0 s vs 0.67 s; a 20,000-record `backup create` was no faster with it either). `serve`
 * never calls this: a long-running server earns back what the optimizing tier costs.
 */
export function useBaselineWasmCompilerOnly(): void {
  setFlagsFromString('--liftoff-only');
}
