import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { isLang, type Lang } from '../../i18n/i18n.ts';

/** The page language from the `/{lang}/` path segment; an unknown one is "not found". */
export function langOf(req: FastifyRequest): Lang {
  const lang = (req.params as { lang?: string }).lang;
  if (!isLang(lang)) throw new AppError(404, 'unknown_language', 'error.unknown_language');
  req.lang = lang;
  return lang;
}

/** Sends a portal page; not cached unless the route said otherwise. */
export function sendPage(reply: FastifyReply, page: Html, status = 200) {
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}
