import type { FastifyRequest } from 'fastify';
import type { App } from '../http/context.ts';
import { actorOf } from '../http/context.ts';
import type { Tx } from '../db/db.ts';
import type { AppealsCtx } from '../modules/appeals/service.ts';

/** Who acts in this request, and how links to the applicant's pages are written in the
 * messages they get. */
export function appealsActor(app: App, req: FastifyRequest): Pick<AppealsCtx, 'actor' | 'followUrl' | 'rateUrl'> {
  const origin = app.config.publicUrl ?? `${req.protocol}://${req.host}`;
  return {
    actor: actorOf(req),
    followUrl: (number, key, lang) => `${origin}${req.base}/${lang}/appeals/${number}?key=${key}`,
    rateUrl: (token, lang) => `${origin}${req.base}/${lang}/rate/${token}`,
  };
}

/** The appeals operations' context for one request. */
export function appealsCtx(app: App, req: FastifyRequest, tx: Tx): AppealsCtx {
  return { tx, queue: app.queue, community: req.community, secret: app.secret, ...appealsActor(app, req) };
}
