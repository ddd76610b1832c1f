/**
 * Sets (or, for undefined, removes) process environment variables that a library reads by itself, as a
 * process on a given host would see them; returns the function that puts back what was there before.
 */
export function overrideProcessEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  return () => apply(saved);
}
