/** A malformed command line: exit status 2 with the usage of the command. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'usage';
}
