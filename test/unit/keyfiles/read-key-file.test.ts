import { describe, expect, it } from 'vitest';
import { detectKeyFileFormat } from '../../../core/keyfiles/read-key-file.js';
import { expectRefusal, fixture, thrownBy } from './support.js';

describe('detectKeyFileFormat', () => {
  it('recognises PFX files (DER) as pfx', () => {
    expect(detectKeyFileFormat(fixture('rsa-2048.pfx'))).toBe('pfx');
    expect(detectKeyFileFormat(fixture('rsa-2048-legacy.pfx'))).toBe('pfx');
  });

  it('recognises a JSON object as byok, after whitespace or a UTF-8 BOM', () => {
    expect(detectKeyFileFormat(fixture('rsa-2048.byok'))).toBe('byok');
    expect(detectKeyFileFormat(Buffer.from(' \r\n\t{"a":1}'))).toBe('byok');
    expect(detectKeyFileFormat(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]))).toBe('byok');
  });

  it('sends anything else to the PFX parser', () => {
    expect(detectKeyFileFormat(Buffer.from('hello'))).toBe('pfx');
    expect(detectKeyFileFormat(Buffer.from('[{}]'))).toBe('pfx');
  });

  it('refuses files over 64 KiB and empty files with keyfile_malformed', () => {
    expect(expectRefusal(thrownBy(() => detectKeyFileFormat(Buffer.alloc(64 * 1024 + 1, 0x20))), 'keyfile_malformed').message).toContain('64 KiB');
    expectRefusal(thrownBy(() => detectKeyFileFormat(Buffer.alloc(0))), 'keyfile_malformed');
    expect(detectKeyFileFormat(Buffer.alloc(64 * 1024, 0x30))).toBe('pfx');
  });
});
