/** A personal CLI token of one admin: only its SHA-256 is stored; the token itself is shown once. */
export interface CliToken {
  id: string;
  tenantId: string;
  adminId: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
