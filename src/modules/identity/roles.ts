export const ROLES = [
  'community_admin', 'press_editor', 'press_author', 'appeals_operator', 'appeals_controller', 'executor',
  'utility_dispatcher', 'duty_officer', 'council_secretary', 'media_officer', 'leadership',
] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'users.manage' | 'organisations.manage' | 'audit.read' | 'outbox.read' | 'jobs.read'
  // send again the messages whose delivery a crash left unknown
  | 'outbox.resend'
  | 'communities.manage' | 'console.use' | 'appeals.use'
  // newsroom: write drafts; review, approve and publish; connect channels; media library
  | 'news.write' | 'news.publish' | 'channels.manage' | 'media.manage'
  // appeals: manage categories, export and import; addresses register
  | 'appeals.admin' | 'addresses.manage'
  // emergency alerts: compose and issue; approve another's; require approval in the community
  | 'alerts.issue' | 'alerts.approve' | 'alerts.configure'
  // outages: post and update notices of one's own utility; the daily control of all notices
  | 'outages.post' | 'outages.control';

const GRANTS: Record<Role, Permission[]> = {
  community_admin: ['console.use', 'appeals.use', 'users.manage', 'organisations.manage', 'audit.read', 'outbox.read', 'outbox.resend', 'jobs.read', 'channels.manage', 'appeals.admin', 'addresses.manage', 'media.manage', 'alerts.configure', 'outages.control'],
  press_editor: ['console.use', 'news.write', 'news.publish', 'channels.manage', 'media.manage', 'outbox.read'],
  press_author: ['console.use', 'news.write', 'media.manage'],
  appeals_operator: ['console.use', 'appeals.use', 'outbox.read', 'outages.control'],
  appeals_controller: ['console.use', 'appeals.use', 'outbox.read', 'outages.control'],
  executor: ['console.use', 'appeals.use'],
  utility_dispatcher: ['console.use', 'outages.post'],
  duty_officer: ['console.use', 'outbox.read', 'outbox.resend', 'alerts.issue', 'alerts.approve', 'outages.control'],
  council_secretary: ['console.use'],
  media_officer: ['console.use', 'news.write', 'media.manage'],
  leadership: ['console.use', 'appeals.use', 'audit.read', 'alerts.approve', 'outages.control'],
};

/** Roles whose holders must sign in with a second factor. */
export const SECOND_FACTOR_REQUIRED: ReadonlySet<Role> = new Set(['community_admin', 'duty_officer']);

export function permissionsOf(roles: readonly string[], isSuperAdmin: boolean): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of GRANTS[r as Role] ?? []) out.add(p);
  if (isSuperAdmin) ['console.use', 'communities.manage', 'users.manage', 'organisations.manage', 'audit.read', 'outbox.read', 'jobs.read'].forEach((p) => out.add(p as Permission));
  return out;
}

export const needsSecondFactor = (roles: readonly string[], isSuperAdmin: boolean) =>
  isSuperAdmin || roles.some((r) => SECOND_FACTOR_REQUIRED.has(r as Role));
