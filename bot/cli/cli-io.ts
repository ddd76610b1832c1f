/** Where a CLI run reads and writes; tests and the real process provide their own. */
export interface CliIo {
  stdout: (data: string | Buffer) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (for `data put` without --file). */
  readStdin: () => Promise<Buffer>;
  /** Asks for a secret without echo; null when no terminal is attached. */
  promptSecret: (question: string) => Promise<string | null>;
  cwd: string;
}
