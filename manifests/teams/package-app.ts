/** `npm run teams:package [-- --out <file.zip>]`: builds the Teams app package from TEAMS_CLIENT_ID and PUBLIC_URL. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTeamsPackage } from './build-teams-package.js';
import { readZip } from './read-zip.js';

const blank = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);

try {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = path.resolve(values.out ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'dualkey-teams.zip'));
  const zip = buildTeamsPackage({
    clientId: blank(process.env.TEAMS_CLIENT_ID) ?? '',
    appId: blank(process.env.TEAMS_APP_ID),
    publicUrl: blank(process.env.PUBLIC_URL) ?? '',
    developer: blank(process.env.TEAMS_APP_DEVELOPER),
  });
  // Read the archive back before handing it over: a broken zip fails here, not at upload.
  const files = [...readZip(zip).keys()];
  writeFileSync(out, zip);
  console.log(`wrote ${out} (${zip.length} bytes: ${files.join(', ')}); upload it in Teams: Apps → Manage your apps → Upload an app`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 2;
}
