import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.js';
import { normalizeDisplayName, normalizeEmail } from '../../../core/setup/validate-names.js';

// Issue 8 item 7: names and e-mail addresses are NFKC-normalised; invisible characters and mixed-script words are refused.
function refusedWith(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('invalid_input');
    return e as DomainError;
  }
  throw new Error('expected invalid_input, but the value was accepted');
}

describe('normalising admin names and e-mail addresses', () => {
  it('NFKC-normalises full-width letters, ligatures and odd spaces, and lowercases e-mail addresses', () => {
    expect(normalizeDisplayName('Ａｎｎ\u00a0Smith')).toBe('Ann Smith');
    expect(normalizeDisplayName('ﬁona   Doe')).toBe('fiona Doe');
    expect(normalizeEmail('ＡＮＮ@Example.com')).toBe('ann@example.com');
  });

  it('accepts names of one script per word, accents and CJK combinations included', () => {
    for (const name of ['Zoë Saldaña', "Jean-Luc O'Neil", 'Иван Петров', 'Γιώργος', '山田 太郎', '山田たろう', '김민준', 'Ann (Ops) 2']) {
      expect(normalizeDisplayName(name)).toBe(name.normalize('NFKC'));
    }
    expect(normalizeEmail('ivan@пример.рф')).toBe('ivan@пример.рф');
  });

  it.each([
    ['zero-width space', 'Ann\u200bSmith', 'U+200B'],
    ['zero-width joiner', 'An\u200dn', 'U+200D'],
    ['right-to-left override', 'Ann \u202eCarol', 'U+202E'],
    ['left-to-right isolate', '\u2066Ann', 'U+2066'],
    ['soft hyphen', 'An\u00adn', 'U+00AD'],
    ['Hangul filler', 'Ann\u3164', 'U+3164'],
    ['tag character', 'Ann\u{E0041}', 'U+E0041'],
    ['newline', 'Ann\nCarol', 'U+000A'],
  ])('refuses a display name with a %s with invalid_input naming the character', (_what, name, code) => {
    const err = refusedWith(() => normalizeDisplayName(name));
    expect(err.message).toContain(code);
    expect(err.message).toContain('invisible');
  });

  it('refuses an e-mail address with an invisible character with invalid_input', () => {
    expect(refusedWith(() => normalizeEmail('ann\u200b@example.com')).message).toContain('e-mail address');
    expect(refusedWith(() => normalizeEmail('ann@exa\u2060mple.com')).message).toContain('U+2060');
  });

  it.each([
    ['Latin with a Cyrillic А', '\u0410nn Smith', /Cyrillic and Latin|Latin and Cyrillic/],
    ['Latin with a Greek ο', 'B\u03bfb', /Latin and Greek|Greek and Latin/],
    ['Latin with Han', 'Ann山', /Latin and Han|Han and Latin/],
  ])('refuses a display name mixing %s in one word with invalid_input naming the scripts', (_what, name, scripts) => {
    const err = refusedWith(() => normalizeDisplayName(name));
    expect(err.message).toMatch(scripts);
    expect(err.message).toContain('one word');
  });

  it('refuses look-alike e-mail addresses mixing scripts in one part with invalid_input', () => {
    refusedWith(() => normalizeEmail('\u0430nn@example.com')); // Cyrillic а in "ann"
    refusedWith(() => normalizeEmail('ann@ex\u0430mple.com'));
  });

  it('refuses an empty or blank display name with invalid_input', () => {
    refusedWith(() => normalizeDisplayName('   '));
  });
});
