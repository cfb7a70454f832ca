import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { Queue } from '../jobs/queue.ts';
import type { Community, CommunityRegistry } from '../modules/communities/service.ts';
import type { Actor } from '../modules/audit/service.ts';
import type { Lang } from '../i18n/i18n.ts';
import type { Permission } from '../modules/identity/roles.ts';

/** What every route handler can reach: built once in main.ts. */
export type App = {
  config: Config;
  db: Db;
  queue: Queue;
  log: Logger;
  communities: CommunityRegistry;
  /** Deployment secret (in app_settings): signs follow links of appeals. */
  secret: string;
  ready: () => Promise<boolean>;
};

export type StaffAuth = {
  kind: 'staff' | 'token';
  userId: string;
  name: string;
  email: string;
  lang: Lang;
  organisationId: string | null;
  roles: string[];
  isSuperAdmin: boolean;
  permissions: Set<Permission>;
  sessionId: string | null;
  csrf: string | null;
  secondFactorDone: boolean;
  hasTotp: boolean;
  scopes: string[];
};

declare module 'fastify' {
  interface FastifyRequest {
    community: Community;
    lang: Lang;
    /** Prefix of this community's URLs: '' for the default community, '/c/{slug}' otherwise. */
    base: string;
    staff: StaffAuth | null;
    residentId: string | null;
    residentSessionId: string | null;
    residentCsrf: string | null;
  }
}

export function clientIp(req: FastifyRequest): string {
  return req.ip ?? 'unknown';
}

export function actorOf(req: FastifyRequest): Actor {
  const s = req.staff;
  if (s) return { type: s.kind === 'token' ? 'token' : 'user', id: s.userId, label: s.name, communityId: req.community.id, requestId: String(req.id), ip: clientIp(req) };
  if (req.residentId) return { type: 'resident', id: req.residentId, label: null, communityId: req.community.id, requestId: String(req.id), ip: clientIp(req) };
  return { type: 'anonymous', id: null, label: null, communityId: req.community.id, requestId: String(req.id), ip: clientIp(req) };
}

export type Reply = FastifyReply;
