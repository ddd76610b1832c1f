import { DomainError } from '../errors.js';

/**
 * Characters that show nothing (or reorder what is shown): controls, format characters (zero-width
 * space/joiners, bidi embeddings/overrides/isolates, soft hyphen, BOM, tag characters), private-use,
 * unassigned, line/paragraph separators, and the fillers and selectors fonts draw as blank.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/u;

/** Scripts told apart within a word; a letter of none of them counts as a script of its own. */
const SCRIPTS = [
  'Latin', 'Cyrillic', 'Greek', 'Armenian', 'Georgian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali',
  'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan',
  'Myanmar', 'Khmer', 'Ethiopic', 'Cherokee', 'Mongolian', 'Han', 'Hiragana', 'Katakana', 'Bopomofo', 'Hangul',
].map((name) => ({ name, re: new RegExp(`\\p{Script=${name}}`, 'u') }));

/** Scripts one word may legitimately combine: Japanese and Korean (and Chinese with Bopomofo) mix Han with their own. */
const COMPATIBLE = new Set(['Han', 'Hiragana', 'Katakana', 'Bopomofo', 'Hangul']);

/**
 * NFKC-normalises a display name or e-mail address of an admin and refuses one that could pass for
 * another (issue 8 item 7): invisible characters, or a word mixing scripts (Latin "Аnn" with a
 * Cyrillic А). `what` names the field in the refusal ("display name", "e-mail address").
 */
export function normalizePersonText(value: string, what: string): string {
  const text = value.normalize('NFKC').trim();
  // The input as typed first, so the refusal names the character the user typed (NFKC may turn one filler into another).
  const invisible = INVISIBLE.exec(value.trim()) ?? INVISIBLE.exec(text);
  if (invisible) {
    throw new DomainError('invalid_input',
      `The ${what} contains an invisible or control character (${codePoint(invisible[0])}), which can make one person look like another. Type it again without it.`,
      { field: what, character: codePoint(invisible[0]) });
  }
  for (const word of text.split(/[^\p{L}\p{M}]+/u)) {
    const scripts = scriptsOf(word);
    const kinds = [...scripts].filter((s) => !COMPATIBLE.has(s));
    if (kinds.length > 1 || (kinds.length === 1 && scripts.size > 1)) {
      throw new DomainError('invalid_input',
        `The ${what} mixes ${[...scripts].join(' and ')} letters in one word, as look-alike spellings do. Use letters of one script per word.`,
        { field: what, scripts: [...scripts].join(',') });
    }
  }
  // Runs of spaces collapse, so "Ann  Smith" cannot pass for a second "Ann Smith".
  return text.replace(/\s+/gu, ' ');
}

function scriptsOf(word: string): Set<string> {
  const found = new Set<string>();
  for (const ch of word) {
    if (!/\p{L}/u.test(ch)) continue; // marks and digits belong to no script of their own (Inherited/Common)
    found.add(SCRIPTS.find((s) => s.re.test(ch))?.name ?? 'other');
  }
  return found;
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
