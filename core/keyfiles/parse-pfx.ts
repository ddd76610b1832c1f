import { DomainError } from '../errors.js';
import { describePrivateKey } from './describe-private-key.js';
import { KdfBudget } from './kdf-budget.js';
import { assertKeyFileSize } from './key-file-size.js';
import type { ParsedKey } from './parsed-key.js';
import { pbeDecrypt } from './pbe-decrypt.js';
import { pbeCost } from './pbe-scheme.js';
import { macCost, verifyPfxMac, type PfxMac } from './pfx-mac.js';
import { readPfxStructure, type PfxStructure } from './pfx-structure.js';
import { bmpPassword } from './pkcs12-kdf.js';
import { readSafeBags, type SafeBag } from './safe-bags.js';

/** The two ways exporters encode "no password" in the MAC KDF: BMPString "" (just the terminator) and no bytes at all. */
const EMPTY_PASSWORDS = [Buffer.alloc(2), Buffer.alloc(0)];

/** Validates a password-protected PFX/PKCS#12 holding exactly one RSA ≥ 2048 private key, and returns that key (DESIGN §3). */
export function parsePfx(bytes: Buffer, password: string | undefined): ParsedKey {
  assertKeyFileSize(bytes);
  const pfx = readPfxStructure(bytes);
  if (!password) {
    throw new DomainError('pfx_password_required',
      'A PFX upload needs its password: key files must be password protected. Enter the password chosen when the file was exported.');
  }
  if (!pfx.mac) {
    throw new DomainError('pfx_password_required',
      'This PFX has no integrity MAC, so it is not password protected. Export it again with a password and a MAC (OpenSSL adds one unless -nomac is given).');
  }
  const budget = new KdfBudget();
  // Refuse before the first KDF when what is visible already exceeds the budget.
  budget.spend(visibleCost(pfx));
  checkMac(pfx.mac, pfx.authSafe, password, budget);

  const keys = collectBags(pfx, password, budget).filter((bag) => bag.kind !== 'other');
  if (keys.length === 0) {
    throw new DomainError('pfx_no_private_key',
      'This PFX holds no private key (certificates only). Export it again including the private key (with OpenSSL: without -nokeys).');
  }
  if (keys.length > 1) {
    throw new DomainError('keyfile_malformed',
      `This PFX contains ${keys.length} private keys; export exactly one (the RSA key that should protect the instance).`,
      { privateKeys: keys.length });
  }
  const key = keys[0] as Exclude<SafeBag, { kind: 'other' }>;
  if (key.kind === 'key') {
    throw new DomainError('pfx_password_required',
      'The private key in this PFX is stored unencrypted. Export it again with the key encrypted under the password (OpenSSL does unless -keypbe NONE is given).');
  }
  const pkcs8 = pbeDecrypt(key.scheme, password, key.ciphertext);
  if (!pkcs8) throw secondPassword();
  try {
    return describePrivateKey(pkcs8);
  } finally {
    pkcs8.fill(0);
  }
}

/** KDF iterations known before decrypting anything: MAC, encrypted safes, shrouded keys in plain safes. */
function visibleCost(pfx: PfxStructure): number {
  let cost = pfx.mac ? macCost(pfx.mac) : 0;
  for (const safe of pfx.safes) {
    cost += safe.kind === 'encrypted' ? pbeCost(safe.scheme) : shroudedCost(safe.bags);
  }
  return cost;
}

function checkMac(mac: PfxMac, authSafe: Buffer, password: string, budget: KdfBudget): void {
  const bmp = bmpPassword(password);
  const ok = verifyPfxMac(mac, authSafe, bmp);
  bmp.fill(0);
  if (ok) return;
  // A file exported without a password still has a MAC; say so rather than "wrong password". Skipped
  // when the budget cannot afford it: the refusal is then pfx_bad_password, which is still true.
  for (const empty of EMPTY_PASSWORDS) {
    if (!budget.canAfford(macCost(mac))) break;
    budget.spend(macCost(mac));
    if (verifyPfxMac(mac, authSafe, empty)) {
      throw new DomainError('pfx_password_required',
        'This PFX is not password protected (it opens with an empty password). Export it again with a password.');
    }
  }
  throw new DomainError('pfx_bad_password',
    'The password does not open this PFX (its integrity check fails). Enter the password chosen when the file was exported.');
}

/** Every bag of every safe, decrypting encrypted safes (their own key bags are capped before their KDF runs). */
function collectBags(pfx: PfxStructure, password: string, budget: KdfBudget): SafeBag[] {
  const bags: SafeBag[] = [];
  for (const safe of pfx.safes) {
    if (safe.kind === 'plain') {
      bags.push(...safe.bags);
      continue;
    }
    const plaintext = pbeDecrypt(safe.scheme, password, safe.ciphertext);
    if (!plaintext) throw secondPassword();
    const inner = readSafeBags(plaintext);
    // Key bags hidden inside an encrypted safe are paid for as soon as they are seen.
    budget.spend(shroudedCost(inner));
    bags.push(...inner);
  }
  return bags;
}

function shroudedCost(bags: SafeBag[]): number {
  return bags.reduce((sum, bag) => sum + (bag.kind === 'shrouded' ? pbeCost(bag.scheme) : 0), 0);
}

/** The MAC verified, so the password is right for integrity but not for privacy (`-twopass`) or the data is damaged. */
function secondPassword(): DomainError {
  return new DomainError('pfx_bad_password',
    'The password verifies this PFX but does not decrypt its contents (it may have been exported with a second password, or is damaged). Export it again protected by a single password.');
}

/**
 * Refuses, before any password is asked for, a PFX that is not password protected: no MAC, or a MAC that
 * verifies with an empty password (`pfx_password_required`). A protected file passes; parsePfx checks the rest.
 */
export function refuseUnprotectedPfx(bytes: Buffer): void {
  assertKeyFileSize(bytes);
  const pfx = readPfxStructure(bytes);
  if (!pfx.mac) {
    throw new DomainError('pfx_password_required',
      'This PFX has no integrity MAC, so it is not password protected. Export it again with a password and a MAC (OpenSSL adds one unless -nomac is given).');
  }
  const budget = new KdfBudget();
  budget.spend(visibleCost(pfx));
  for (const empty of EMPTY_PASSWORDS) {
    if (!budget.canAfford(macCost(pfx.mac))) return;
    budget.spend(macCost(pfx.mac));
    if (verifyPfxMac(pfx.mac, pfx.authSafe, empty)) {
      throw new DomainError('pfx_password_required',
        'This PFX is not password protected (it opens with an empty password). Export it again with a password.');
    }
  }
}
