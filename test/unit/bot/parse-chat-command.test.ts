import { describe, expect, it } from 'vitest';
import { parseChatCommand } from '../../../bot/commands/parse-chat-command.js';

describe('the chat command grammar', () => {
  it.each([
    ['', { name: 'help' }],
    ['help', { name: 'help' }],
    ['  STATUS  ', { name: 'status' }],
    ['status crm-prod', { name: 'status', instance: 'crm-prod' }],
    ['key new crm-prod', { name: 'key_new', instance: 'crm-prod' }],
    ['key upload crm-prod', { name: 'key_upload', instance: 'crm-prod' }],
    ['key revert crm-prod', { name: 'key_revert', instance: 'crm-prod' }],
    ['key kek', { name: 'key_kek' }],
    ['lock crm-prod', { name: 'lock', instance: 'crm-prod' }],
    ['unlock crm-prod', { name: 'unlock', instance: 'crm-prod' }],
    ['pending', { name: 'pending' }],
    ['approve r-abc', { name: 'approve', request: 'r-abc' }],
    ['rollback r-abc not ours', { name: 'rollback', request: 'r-abc', reason: 'not ours' }],
    ['reject r-abc', { name: 'reject', request: 'r-abc' }],
    ['audit', { name: 'audit' }],
    ['audit crm-prod', { name: 'audit', instance: 'crm-prod' }],
    ['admins', { name: 'admins' }],
    ['whoami', { name: 'whoami' }],
    ['console', { name: 'console' }],
    ['cli-token', { name: 'cli_token' }],
  ])('parses %j', (text, expected) => {
    expect(parseChatCommand(text)).toEqual(expected);
  });

  it.each([
    ['frobnicate', 'unknown command'],
    ['key', 'use key new'],
    ['key new', 'missing instance'],
    ['lock', 'missing instance'],
    ['lock Bad_Name', 'is not an instance name'],
    ['lock a b', 'too many words'],
    ['approve', 'missing request id'],
    ['whoami now', 'takes no arguments'],
    ['key kek please', 'too many words'],
    ['cli-token dkc_secret', 'takes no arguments'],
  ])('refuses %j with a usage message', (text, fragment) => {
    const parsed = parseChatCommand(text);
    expect(parsed.name).toBe('invalid');
    expect((parsed as { message: string }).message).toContain(fragment);
  });
});
