import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng } from './png.js';
import { writeZip } from './zip-writer.js';

/** What the manifest template needs: the bot's Entra app (client) id, where dualkey is served, who publishes it. */
export interface TeamsPackageInputs {
  clientId: string;
  /** The Teams app id; defaults to the client id (one registration for app and bot). */
  appId?: string | undefined;
  publicUrl: string;
  developer?: string | undefined;
}

/** The icon sizes Teams requires. */
export const ICONS = { color: { file: 'color.png', size: 192 }, outline: { file: 'outline.png', size: 32 } } as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Refuses inputs Teams would refuse at upload, saying what to set. */
function check(inputs: TeamsPackageInputs): void {
  const problems: string[] = [];
  if (!GUID.test(inputs.clientId)) problems.push('TEAMS_CLIENT_ID must be the bot\'s Microsoft Entra application (client) id, a GUID');
  if (inputs.appId !== undefined && !GUID.test(inputs.appId)) problems.push('TEAMS_APP_ID must be a GUID (or unset to reuse TEAMS_CLIENT_ID)');
  if (!/^https:\/\/[^/\s]+/.test(inputs.publicUrl)) problems.push('PUBLIC_URL must be the https:// URL where dualkey is served, e.g. https://dualkey.example.com');
  if (problems.length) throw new Error(`Cannot build the Teams package:\n  ${problems.join('\n  ')}`);
}

/** Checks an icon's size, and that the outline is white on a transparent background. */
function checkIcon(kind: keyof typeof ICONS, png: Buffer): void {
  const { width, height, pixels } = decodePng(png);
  const { size, file } = ICONS[kind];
  if (width !== size || height !== size) throw new Error(`${file} must be ${size}×${size}, not ${width}×${height}`);
  if (kind !== 'outline') return;
  let transparent = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] === 0) transparent++;
    else if (pixels[i] !== 255 || pixels[i + 1] !== 255 || pixels[i + 2] !== 255) throw new Error(`${file} must be white on transparent`);
  }
  if (transparent === 0) throw new Error(`${file} needs a transparent background`);
}

/** The manifest with its placeholders filled in (`${{NAME}}`), parsed. */
export function renderManifest(inputs: TeamsPackageInputs, template = readFileSync(path.join(HERE, 'manifest.json'), 'utf8')): Record<string, unknown> {
  check(inputs);
  const url = new URL(inputs.publicUrl);
  const values: Record<string, string> = {
    TEAMS_APP_ID: (inputs.appId ?? inputs.clientId).toLowerCase(),
    TEAMS_CLIENT_ID: inputs.clientId.toLowerCase(),
    TEAMS_APP_DEVELOPER: inputs.developer ?? url.hostname,
    PUBLIC_URL: url.origin,
    PUBLIC_HOST: url.host,
  };
  const filled = template.replace(/\$\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`manifest.json uses an unknown placeholder ${whole}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(filled) as Record<string, unknown>;
}

/** The zip to upload to Teams: manifest.json with both icons at the root. */
export function buildTeamsPackage(inputs: TeamsPackageInputs, dir = HERE): Buffer {
  const manifest = renderManifest(inputs, readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const icons = manifest.icons as { color: string; outline: string };
  const color = readFileSync(path.join(dir, icons.color));
  const outline = readFileSync(path.join(dir, icons.outline));
  checkIcon('color', color);
  checkIcon('outline', outline);
  return writeZip([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: icons.color, data: color },
    { name: icons.outline, data: outline },
  ]);
}
