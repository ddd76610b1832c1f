import forgeModule from 'node-forge';
import { describe, expect, it } from 'vitest';
import { TAG, TAG_CLASS } from '../../../core/keyfiles/asn1-tags.js';
import { forge } from '../../../core/keyfiles/forge.js';

describe('ASN.1 tags usable before node-forge loads', () => {
  it('match node-forge\'s own tag class and type values', () => {
    for (const [name, value] of Object.entries(TAG_CLASS)) expect(value, name).toBe(forgeModule.asn1.Class[name as keyof typeof forgeModule.asn1.Class]);
    for (const [name, value] of Object.entries(TAG)) expect(value, name).toBe(forgeModule.asn1.Type[name as keyof typeof forgeModule.asn1.Type]);
  });

  it('loads node-forge on first use and hands out that same module every time', () => {
    expect(forge().asn1.Type.SEQUENCE).toBe(16);
    expect(forge()).toBe(forge());
  });
});
