import type { IncomingMessage, ServerResponse } from 'node:http';

/** One HTTP route of the single dualkey server. */
export interface Route {
  /** A stable label for metrics and logs, e.g. `data.put`. */
  name: string;
  method: string;
  path: RegExp;
  handler: (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray) => Promise<void>;
}
