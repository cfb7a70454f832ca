import type { FastifyRequest } from 'fastify';
import type { App } from '../http/context.ts';
import { actorOf } from '../http/context.ts';
import type { Tx } from '../db/db.ts';
import type { AppealsCtx } from '../modules/appeals/service.ts';

/** The appeals operations' context for one request: who acts, and how links to the
 * applicant's pages are written in the messages they get. */
export function appealsCtx(app: App, req: FastifyRequest, tx: Tx): AppealsCtx {
  const origin = app.config.publicUrl ?? `${req.protocol}://${req.host}`;
  return {
    tx,
    queue: app.queue,
    actor: actorOf(req),
    community: req.community,
    secret: app.secret,
    followUrl: (number, key, lang) => `${origin}${req.base}/${lang}/appeals/${number}?key=${key}`,
    rateUrl: (token, lang) => `${origin}${req.base}/${lang}/rate/${token}`,
  };
}
