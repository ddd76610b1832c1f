import { createInterface } from 'node:readline';
import type { CliIo } from './cli-io.js';
import { useBaselineWasmCompilerOnly } from './baseline-wasm-compiler.js';
import { forwardToServe } from './forward-to-serve.js';

/** Asks for a secret on the terminal without echoing it. */
async function promptSecret(question: string): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Echo nothing but the question: the password must not appear on screen or in scrollback.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.includes(question)) process.stderr.write(question);
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    process.stderr.write('\n');
    rl.close();
  }
}

const io: CliIo = {
  stdout: (data) => void process.stdout.write(data),
  stderr: (text) => void process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  },
  promptSecret,
  cwd: process.cwd(),
};

/** Runs the command in this process: its own engine on the configured database, or serve's loop. */
async function runHere(argv: string[]): Promise<number> {
  // Loaded only when serve does not answer: the command table reaches the engine, drizzle and core.
  const { runCli } = await import('./run-cli.js');
  return runCli(argv, io, {
    env: process.env,
    // Loaded on first use: a command that needs no database (help, keyfile inspect) loads none, and only
    // `serve` loads the chat SDKs, mail and web pages (issue 12: no module a command does not need).
    // A one-shot command runs PGlite briefly: the baseline wasm compiler alone and smaller shared buffers finish it sooner.
    openEngine: async (config) => (useBaselineWasmCompilerOnly(), (await import('../runtime/open-runtime.js')).openRuntime(config, { oneShot: true })),
    serve: async (config, onStarted) => {
      const { startServer } = await import('../start-server.js');
      const server = await startServer(config);
      try {
        await onStarted?.(server);
      } catch (e) {
        await server.close();
        throw e;
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    },
  });
}

const argv = process.argv.slice(2);
// Beside a running serve, read-only commands are its to answer: nothing else needs loading here.
const forwarded = await forwardToServe(argv, process.env);
if (forwarded) {
  process.stdout.write(forwarded.stdout);
  process.stderr.write(forwarded.stderr);
}
process.exitCode = forwarded ? forwarded.code : await runHere(argv);
