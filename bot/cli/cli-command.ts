import type { ParseArgsConfig } from 'node:util';
import type { RunningServer } from '../start-server.js';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { Tenant } from '../../core/model/tenant.js';
import type { Config } from '../runtime/config.js';
import type { CliIo } from './cli-io.js';

/** What a command prints: a JSON value for --json, text for humans, or raw bytes (data get). */
export interface CliResult {
  json: unknown;
  text: string;
  raw?: Buffer;
}

/** Parsed option values of a command. */
export type CliValues = Record<string, string | boolean | undefined>;

/** What a command can reach: I/O, the engine (opened on first use), the tenant and admins. */
export interface CliContext {
  io: CliIo;
  /** The validated configuration of this run. */
  config: Config;
  json: boolean;
  engine(): Promise<Engine>;
  tenant(): Promise<Tenant>;
  /** The admin this run acts as: the holder of --token-file, or (local development only) the admin named by --as; refused when neither. */
  actor(email: string | undefined): Promise<Actor>;
  /** The admin this run acts as when it names one (`--token-file`, or `--as` in local development); null when the operator acts. */
  actingAdmin(email: string | undefined): Promise<Actor | null>;
  /** Runs the server until it is stopped (`serve`, `demo`: with its own configuration); `onStarted` runs once it listens. */
  serve(opts?: { config?: Config; onStarted?: (server: RunningServer) => Promise<void> }): Promise<void>;
}

/** One CLI command of the grammar. */
export interface CliCommand {
  path: string[];
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  args: [min: number, max: number];
  run(ctx: CliContext, args: string[], values: CliValues): Promise<CliResult>;
}

/** Reads a string option, refusing booleans. */
export function str(values: CliValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
