/** Hard limits that keep key-file parsing fast and bounded on hostile input (DESIGN §3). */
export const MAX_KEYFILE_BYTES = 64 * 1024;

/** Human form of MAX_KEYFILE_BYTES for refusal messages. */
export const MAX_KEYFILE_LABEL = '64 KiB';

/**
 * Cap on the iteration count of any single KDF (PFX MAC, PBKDF2, PKCS#12 PBE), checked before it
 * runs. OpenSSL writes 2048, Java 10 000, our generator 100 000 (MAC) and 50 000 (PBKDF2); 600 000
 * is the OWASP PBKDF2-SHA256 figure and .NET's default limit for loading a PFX.
 */
export const MAX_KDF_ITERATIONS = 600_000;

/**
 * Cap on the hash iterations actually run for one file, all KDFs together (the empty-password probe
 * included), as .NET counts them. The slowest kind, the PKCS#12 KDF, costs ≈0.7 µs per iteration in
 * node, so no admitted file blocks the event loop much beyond 0.4 s.
 */
export const MAX_TOTAL_KDF_ITERATIONS = 600_000;

/** DER nesting cap: a PFX is at most ~12 levels deep; deeper input is a DER bomb. */
export const MAX_DER_DEPTH = 32;

/** Nested SafeContents bags (safeContentsBag inside safeContentsBag) followed before refusing. */
export const MAX_SAFE_CONTENTS_NESTING = 3;

/** Cap on SafeBags and ContentInfos in one file: honest exports hold two or three. */
export const MAX_PFX_ITEMS = 64;

/** Largest RSA modulus accepted (issue 8 item 4: 2048–4096): bigger keys make every DEK unwrap slow and many vaults/HSMs do not import them. */
export const MAX_RSA_BITS = 4096;

/** Smallest RSA modulus accepted (DESIGN §3). */
export const MIN_RSA_BITS = 2048;
