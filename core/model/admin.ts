/** The three administrator roles of DESIGN §2. */
export type RoleName = 'global_admin' | 'service_admin' | 'system_admin';

/** A chat platform an admin can be linked on. */
export type Platform = 'slack' | 'teams';

/** A linked chat identity: Slack team + user id, or Teams tenant + AAD object id. */
export interface Identity {
  platform: Platform;
  workspace: string;
  userId: string;
}

/** A person (one principal across platforms). */
export interface Admin {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: RoleName;
  /** Instance names a system_admin administers; empty for the tenant-wide roles. */
  instances: string[];
  identities: Identity[];
  createdAt: Date;
}
