import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHAT_USAGE } from '../../../bot/commands/parse-chat-command.js';

const manifest = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'manifests', 'slack', 'manifest.yaml'), 'utf8');
/** The items of the YAML list under `key:` (one `- item` per line). */
const listUnder = (key: string) => (new RegExp(`^(\\s*)${key}:\\n((?:\\1\\s+- .+\\n)+)`, 'm').exec(manifest)?.[2] ?? '').split('\n').filter(Boolean).map((l) => l.replace(/^\s*- /, '').trim());

/** The Slack app manifest declares what the Slack transport relies on. */
describe('manifests/slack/manifest.yaml', () => {
  it('asks for exactly the bot scopes dualkey uses', () => {
    expect(listUnder('bot')).toEqual(['commands', 'chat:write', 'im:write', 'users:read', 'users:read.email']);
  });

  it('declares /dualkey with a usage hint naming the grammar, a bot user, and interactivity', () => {
    expect(manifest).toMatch(/^\s+- command: \/dualkey$/m);
    const hint = /usage_hint: "(.+)"/.exec(manifest)?.[1] ?? '';
    for (const word of new Set(CHAT_USAGE.map((u) => u.split(' ')[0]!))) expect(hint).toContain(word);
    expect(manifest).toMatch(/bot_user:\n\s+display_name: dualkey/);
    expect(manifest).toMatch(/interactivity:\n\s+is_enabled: true/);
  });

  it('sends commands, clicks and events to /slack/events on a placeholder HTTPS host, with Socket Mode off by default', () => {
    const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((m) => m[1]);
    expect(urls).toEqual(Array(3).fill('https://dualkey.example.com/slack/events'));
    expect(manifest).toMatch(/^\s+socket_mode_enabled: false$/m);
  });
});
