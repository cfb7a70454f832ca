import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, StaffAuth } from './context.ts';
import { withCommunity } from '../db/db.ts';
import { findSession, newSecret } from '../modules/identity/sessions.ts';
import { authenticateToken } from '../modules/identity/tokens.ts';
import { activeAccount, type ActiveAccount } from '../modules/identity/users.ts';
import { permissionsOf, needsSecondFactor, type Permission } from '../modules/identity/roles.ts';
import { AppError, forbidden, unauthenticated } from './errors.ts';

export const STAFF_COOKIE = 'cd_staff';
export const RESIDENT_COOKIE = 'cd_res';
const CSRF_COOKIE = 'cd_csrf';

export const cookiePath = (req: FastifyRequest) => req.base || '/';

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, name: string, token: string, maxHours: number) {
  reply.setCookie(name, token, {
    path: cookiePath(req),
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    maxAge: maxHours * 3600,
  });
}

export function clearCookie(req: FastifyRequest, reply: FastifyReply, name: string) {
  reply.clearCookie(name, { path: cookiePath(req) });
}

/** Who calls with a token, made once per cached token holder (its permissions are a set to build). */
const tokenStaff = new WeakMap<object, StaffAuth>();

/** Reads which staff member is calling (console and API): a staff session cookie or a Bearer
 * API token, looked up inside the request's community only. */
export async function loadStaff(app: App, req: FastifyRequest): Promise<void> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const staffToken = req.cookies[STAFF_COOKIE];
  if (!bearer && !staffToken) return;
  if (req.headers.authorization && !bearer) throw unauthenticated();
  if (bearer) {
    // The token's account and roles, from a cache of a few seconds (identity/tokens.ts).
    const h = await authenticateToken(app.db, req.community.id, bearer);
    if (!h) throw unauthenticated();
    let staff = tokenStaff.get(h);
    // Shared by the token's requests while its holder is cached, so frozen: no request may change it.
    if (!staff) tokenStaff.set(h, (staff = Object.freeze(staffAuth(h, { kind: 'token', scopes: h.scopes, sessionId: null, csrf: null, secondFactorDone: true }))));
    req.staff = staff;
    return;
  }
  const limits = { idleMinutes: app.config.sessionIdleMinutes, maxHours: app.config.sessionMaxHours };
  await withCommunity(app.db, req.community.id, async (tx) => {
    const s = staffToken ? await findSession(tx, staffToken, limits) : null;
    const account = s?.user_id ? await activeAccount(tx, s.user_id) : null;
    if (!s || !account) return;
    const { user, roles } = account;
    // Without TOTP and without a role that demands it, the password alone completes the sign-in.
    const secondFactorDone = s.second_factor_at !== null || (!user.totp_enabled_at && !needsSecondFactor(roles, user.is_super_admin));
    req.staff = staffAuth(account, { kind: 'staff', scopes: ['read', 'write'], sessionId: s.id, csrf: s.csrf_token, secondFactorDone });
  });
}

/** Who calls, from their account and how they signed in. */
function staffAuth({ user, roles }: ActiveAccount, how: Pick<StaffAuth, 'kind' | 'scopes' | 'sessionId' | 'csrf' | 'secondFactorDone'>): StaffAuth {
  return {
    ...how,
    userId: user.id,
    name: user.display_name,
    email: user.email,
    lang: user.lang,
    organisationId: user.organisation_id,
    roles,
    isSuperAdmin: user.is_super_admin,
    permissions: permissionsOf(roles, user.is_super_admin),
    hasTotp: user.totp_enabled_at !== null,
  };
}

/** Reads the resident's session, for the portal pages that need it (the others only look at
 * whether the cookie is there, so that public pages cost no database work). */
export async function loadResident(app: App, req: FastifyRequest): Promise<void> {
  const token = req.cookies[RESIDENT_COOKIE];
  if (!token) return;
  const limits = { idleMinutes: 60 * 24 * 30, maxHours: 24 * 30 };
  const s = await withCommunity(app.db, req.community.id, (tx) => findSession(tx, token, limits));
  if (s?.resident_id) {
    req.residentId = s.resident_id;
    req.residentSessionId = s.id;
    req.residentCsrf = s.csrf_token;
  }
}

export const mayBeResident = (req: FastifyRequest) => !!req.residentId || !!req.cookies[RESIDENT_COOKIE];

/** The signed-in staff member with a completed sign-in, holding `permission` if given. */
export function requireStaff(req: FastifyRequest, permission?: Permission, write = false) {
  const s = req.staff;
  if (!s) throw unauthenticated();
  if (!s.secondFactorDone) throw new AppError(401, 'second_factor_required', 'error.second_factor_required');
  if (write && !s.scopes.includes('write')) throw forbidden();
  if (permission && !s.permissions.has(permission)) throw forbidden();
  return s;
}

/** The token a form must send back. Signed-in callers use their session's token; others a
 * random value in a cookie (double submit). Bearer-token API calls need none. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply): string {
  if (req.staff?.csrf) return req.staff.csrf;
  if (req.residentCsrf) return req.residentCsrf;
  let v = req.cookies[CSRF_COOKIE];
  if (!v || v.length < 20) {
    v = newSecret(24);
    reply.setCookie(CSRF_COOKIE, v, { path: cookiePath(req), httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https' });
    req.cookies[CSRF_COOKIE] = v;
  }
  return v;
}

export function checkCsrf(req: FastifyRequest): void {
  if (req.staff?.kind === 'token') return;
  const body = req.body as Record<string, unknown> | undefined;
  const sent = String((req.headers['x-csrf-token'] as string | undefined) ?? body?._csrf ?? '');
  const expected = [req.staff?.csrf, req.residentCsrf, req.cookies[CSRF_COOKIE]].filter((v): v is string => !!v);
  const ok = expected.some((e) => e.length === sent.length && timingSafeEqual(Buffer.from(e), Buffer.from(sent)));
  if (!ok) throw new AppError(403, 'csrf_failed', 'error.csrf');
}
