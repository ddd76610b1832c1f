/**
 * The CLI socket's exchange: one JSON line each way, then the connection closes. The client sends its
 * command line; serve either runs it (`forwarded: true`, with what the run wrote and its exit status) or
 * declines (`forwarded: false`), and the client then runs the command itself.
 */
export interface CliSocketRequest {
  argv: string[];
}

/** serve's answer to a CliSocketRequest. */
export type CliSocketReply = { forwarded: false } | { forwarded: true; code: number; stdout: string /* base64 */; stderr: string };

/** Largest request line serve reads (a command line is a few hundred bytes). */
export const MAX_CLI_REQUEST_BYTES = 64 * 1024;
