import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { ZodError } from 'zod';
import { sql } from 'kysely';
import type { App } from './context.ts';
import { AppError, notFound } from './errors.ts';
import { isLang, t, type Lang, type MessageKey } from '../i18n/i18n.ts';
import { errorPage } from '../web/layout.ts';
import { portalRoutes } from '../web/portal/routes.ts';
import { consoleRoutes } from '../web/console/routes.ts';
import { apiRoutes } from '../api/routes.ts';
import { open311Routes } from '../web/open311/routes.ts';
import { loadStaff } from './auth.ts';
import { registerUploads } from '../modules/media/uploads.ts';
import { telegramBotRoutes } from '../web/telegram-bot.ts';

const SLUG_PATH = /^\/c\/([a-z0-9][a-z0-9-]{1,40})(?=\/|$)/;

export async function buildServer(app: App): Promise<FastifyInstance> {
  const server: FastifyInstance = Fastify({
    // Fastify's own per-request lines are dropped (level warn); the onResponse hook logs instead.
    loggerInstance: app.log.child({ component: 'http' }, { level: app.config.logLevel === 'debug' || app.config.logLevel === 'trace' ? app.config.logLevel : 'warn' }) as unknown as FastifyBaseLogger,
    bodyLimit: app.config.bodyLimit,
    trustProxy: app.config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });
  await server.register(cookie);
  await server.register(formbody, { bodyLimit: app.config.bodyLimit });
  // Multipart forms (photos): fields in req.body like urlencoded ones, files in req.uploads.
  await registerUploads(server, app.config);

  server.decorateRequest('community', null as never);
  server.decorateRequest('lang', 'uk');
  server.decorateRequest('base', '');
  server.decorateRequest('staff', null);
  server.decorateRequest('residentId', null);
  server.decorateRequest('residentSessionId', null);
  server.decorateRequest('residentCsrf', null);

  server.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (req.url === '/healthz' || req.url === '/readyz') return;
    await resolveCommunity(app, req);
  });
  server.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode >= 500 || app.config.logLevel === 'debug') {
      app.log.info({ reqId: req.id, community: req.community?.slug, method: req.method, url: req.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
  });

  server.setErrorHandler(async (err: FastifyError | AppError | ZodError, req, reply) => {
    const e = toAppError(err);
    if (e.status >= 500) req.log.error({ err, reqId: req.id }, 'request failed');
    const lang = req.lang ?? 'uk';
    const message = t(lang, e.key, { ...e.params, count: Number(e.params.seconds ?? 0) });
    if (e.status === 429 && e.details && typeof e.details === 'object' && 'retry_after' in e.details) {
      reply.header('retry-after', String((e.details as { retry_after: number }).retry_after));
    }
    const details = e.details instanceof ZodError ? zodDetails(lang, e.details) : e.details;
    reply.code(e.status);
    if (wantsJson(req)) return { error: { code: e.code, message, ...(details !== undefined ? { details } : {}) } };
    reply.type('text/html; charset=utf-8');
    return errorPage(req, message).value;
  });
  server.setNotFoundHandler(async () => {
    throw notFound();
  });

  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_req, reply) => {
    const ok = await app.ready();
    reply.code(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'starting' };
  });

  await server.register(telegramBotRoutes(app));
  for (const prefix of ['', '/c/:slug']) {
    await server.register(async (scope) => {
      await scope.register(portalRoutes(app));
      await scope.register(open311Routes(app), { prefix: '/open311' });
      await scope.register(async (staffScope) => {
        staffScope.addHook('preHandler', async (req) => loadStaff(app, req));
        await staffScope.register(consoleRoutes(app), { prefix: '/console' });
        await staffScope.register(apiRoutes(app), { prefix: '/api' });
      });
    }, { prefix });
  }
  return server;
}

async function resolveCommunity(app: App, req: FastifyRequest): Promise<void> {
  const m = SLUG_PATH.exec(req.url);
  const queryLang = /[?&]lang=([^&]*)/.exec(req.url)?.[1];
  req.lang = isLang(queryLang) ? queryLang : preferredLang(req.headers['accept-language']) ?? 'uk';
  if (m) {
    const c = await app.communities.bySlug(m[1]);
    if (!c) throw new AppError(404, 'unknown_community', 'error.unknown_community');
    req.community = c;
    req.base = `/c/${c.slug}`;
  } else {
    const host = (req.headers.host ?? '').toLowerCase();
    const c = (await app.communities.byHost(host)) ?? (await app.communities.defaultCommunity());
    if (!c) throw new AppError(503, 'not_ready', 'error.internal');
    req.community = c;
    req.base = '';
  }
  if (!isLang(queryLang) && !req.headers['accept-language']) req.lang = req.community.default_lang;
  if (queryLang !== undefined && !isLang(queryLang)) throw new AppError(400, 'unknown_language', 'error.unknown_language');
}

function preferredLang(header: string | undefined): Lang | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const code = part.trim().slice(0, 2).toLowerCase();
    if (isLang(code)) return code;
  }
  return null;
}

const wantsJson = (req: FastifyRequest) =>
  /^(\/c\/[^/]+)?\/api\//.test(req.url) || (req.headers.accept ?? '').startsWith('application/json');

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return new AppError(400, 'invalid_input', 'error.invalid', err);
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'body_too_large', 'error.body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported_media_type', 'error.unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(400, 'invalid_json', 'error.invalid_json');
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(fe.statusCode, fe.statusCode === 400 && err instanceof SyntaxError ? 'invalid_json' : 'bad_request', err instanceof SyntaxError ? 'error.invalid_json' : 'error.invalid');
  }
  return new AppError(500, 'internal', 'error.internal');
}

/** Field-by-field messages in the caller's language: `{ "email": "Enter a valid e-mail address." }`. */
export function zodDetails(lang: Lang, err: ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out[[...issue.path, k].join('.')] = t(lang, 'error.field.unknown');
      continue;
    }
    const field = issue.path.join('.') || '_';
    if (out[field]) continue;
    out[field] = t(lang, fieldMessage(issue));
  }
  return out;
}

function fieldMessage(issue: ZodError['issues'][number]): MessageKey {
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) return 'error.field.required';
  if (issue.code === 'invalid_format' && (issue as { format?: string }).format === 'email') return 'error.field.email';
  if (issue.code === 'too_big') return 'error.field.too_long';
  if (issue.code === 'too_small') return (issue as { minimum?: unknown }).minimum === 1 ? 'error.field.required' : 'error.field.too_short';
  if (issue.code === 'custom' && issue.message === 'contact') return 'error.field.contact';
  return 'error.field.invalid';
}

export async function pingDb(app: App): Promise<boolean> {
  try {
    await sql`select 1`.execute(app.db);
    return true;
  } catch {
    return false;
  }
}
