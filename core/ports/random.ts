/** The only source of randomness for keys, nonces, ids and tokens. */
export interface Random {
  bytes(n: number): Buffer;
}
