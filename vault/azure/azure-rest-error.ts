/** The shape of the SDK's RestError that dualkey reads (duck-typed: core-rest-pipeline is not a direct dependency). */
interface RestErrorLike {
  name: string;
  statusCode?: number;
  code?: string;
}

function asRestError(e: unknown): RestErrorLike | undefined {
  return e instanceof Error && e.name === 'RestError' ? (e as RestErrorLike) : undefined;
}

/** The HTTP status of a failed Key Vault call, or undefined when it never got an answer. */
export function restStatus(e: unknown): number | undefined {
  return asRestError(e)?.statusCode;
}

/** A short cause for admins and logs: status and the service's error code, never a request body. */
export function describeRestError(e: unknown): string {
  const rest = asRestError(e);
  if (rest) return `HTTP ${rest.statusCode ?? 'no answer'}${rest.code ? ` ${rest.code}` : ''}`;
  if (e instanceof Error) return e.name === 'AbortError' || e.name === 'TimeoutError' ? 'timed out' : e.name;
  return 'unknown error';
}
