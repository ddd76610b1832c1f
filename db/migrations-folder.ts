import { fileURLToPath } from 'node:url';

/** The drizzle migrations folder, resolved from this module so that the working directory does not matter. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));
