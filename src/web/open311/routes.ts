import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import { sql } from 'kysely';
import type { App } from '../../http/context.ts';
import { clientIp } from '../../http/context.ts';
import { AppError } from '../../http/errors.ts';
import { zodDetails } from '../../http/server.ts';
import { withCommunity, type Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import { isLang, t, type Lang, type MessageKey } from '../../i18n/i18n.ts';
import { listCategories } from '../../modules/appeals/categories.ts';
import { fileAppeal } from '../../modules/appeals/service.ts';
import { findApiToken } from '../../modules/identity/tokens.ts';
import { permissionsOf } from '../../modules/identity/roles.ts';
import type { Actor } from '../../modules/audit/service.ts';
import {
  CLOSED_STATUSES, OPEN311_FORMATS, OPEN311_SPEC, OPEN_STATUSES, discoveryXml, errorsXml, isoWithOffset, requestsXml, serviceDefinitionXml,
  serviceNotice, servicesXml, toService, toServiceDefinition, toServiceRequest, zonedToDate, type Discovery, type Format,
} from '../../modules/appeals/open311.ts';
import { appealsCtx } from '../appeals-context.ts';

/** Default window and cap of GET requests, as the spec sets them. */
const WINDOW_DAYS = 90;
const MAX_REQUESTS = 1000;
const DAY = 86_400_000;

/** An error in the spec's format; `detail` is appended (in English) to the translated message. */
const fail = (status: number, key: MessageKey, detail?: string) => new AppError(status, `open311_${status}`, key, detail);

type Params = Record<string, string | undefined>;

/** Query or body fields as single strings; repeated fields keep the first value, empty
 * strings count as absent, nested values (attribute[...] in JSON) are dropped. */
function flat(input: unknown): Params {
  const out: Params = {};
  if (!input || typeof input !== 'object') return out;
  for (const [k, raw] of Object.entries(input as Record<string, unknown>)) {
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v === 'string') { if (v.trim() !== '') out[k] = v; }
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** Comma lists, also when the parameter is repeated (`status=open&status=closed`). */
function list(input: unknown, name: string): string[] {
  const raw = (input as Record<string, unknown> | undefined)?.[name];
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

const formatOfUrl = (url: string): Format => (/\.xml$/i.test(url.split('?')[0]) ? 'xml' : 'json');

/** "2026-000123.json" → ["2026-000123", "json"]; any other extension is not found. */
function splitFile(file: string): [string, Format] {
  const m = /^(.+)\.(json|xml)$/i.exec(file);
  if (!m) throw fail(404, 'error.not_found', 'Use the .json or .xml format.');
  return [m[1], m[2].toLowerCase() as Format];
}

const jsonType = 'application/json; charset=utf-8';
const xmlType = 'text/xml; charset=utf-8';

function send(reply: FastifyReply, format: Format, json: unknown, xml: () => string, status = 200) {
  reply.code(status);
  if (format === 'xml') return reply.type(xmlType).send(xml());
  return reply.type(jsonType).send(JSON.stringify(json));
}

const origin = (app: App, req: FastifyRequest) => app.config.publicUrl ?? `${req.protocol}://${req.host}`;

/** `jurisdiction_id` is optional: one jurisdiction per URL. When given it must be this community. */
function checkJurisdiction(req: FastifyRequest) {
  const given = flat(req.query).jurisdiction_id ?? flat(req.body).jurisdiction_id;
  if (given !== undefined && given !== req.community.slug) throw fail(404, 'error.unknown_community', `jurisdiction_id "${given.slice(0, 60)}" is not served here.`);
}

async function orgNames(tx: Tx): Promise<Map<string, Texts>> {
  const rows = await tx.selectFrom('organisations').select(['id', 'names']).execute();
  return new Map(rows.map((r) => [r.id, r.names]));
}

/** Appeals of public categories only: the list is open to anyone. */
const publicRequests = (tx: Tx) =>
  tx
    .selectFrom('appeals as a')
    .innerJoin('appeal_categories as c', 'c.id', 'a.category_id')
    .select([
      'a.number', 'a.status', 'a.description', 'a.address', 'a.lat', 'a.lon', 'a.confidential',
      'a.applicant_name', 'a.applicant_phone', 'a.applicant_email', 'a.applicant_address',
      'a.service_due_at', 'a.created_at', 'a.updated_at', 'a.resolved_at', 'a.closed_at', 'a.executor_org_id',
      'c.code as category_code', 'c.names as category_names',
    ])
    .where('c.is_public', '=', true);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A start_date / end_date: ISO 8601; without an offset it is read in the community's time zone. */
function parseDate(value: string | undefined, name: string, timeZone: string): Date | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const m = ISO_DATE.exec(v);
  const d = m ? (m[1] ? new Date(v.replace(' ', 'T')) : zonedToDate(v.replace(' ', 'T'), timeZone)) : null;
  if (!d || Number.isNaN(d.getTime())) throw fail(400, 'error.invalid', `${name} must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00+02:00.`);
  return d;
}

const PostFields = z.object({
  service_code: z.string().trim().min(1).max(60),
  lat: z.coerce.number().min(-90).max(90).optional(),
  long: z.coerce.number().min(-180).max(180).optional(),
  address_string: z.string().trim().max(300).optional(),
  address_id: z.string().trim().max(100).optional(),
  description: z.string().trim().min(10).max(5000),
  email: z.string().trim().max(200).optional(),
  first_name: z.string().trim().max(100).optional(),
  last_name: z.string().trim().max(100).optional(),
  phone: z.string().trim().max(40).optional(),
});

/** Names of CityDesk's fields as the Open311 client sent them, for error descriptions. */
const OPEN311_NAMES: Record<string, string> = {
  'applicant.email': 'email', 'applicant.phone': 'phone', 'applicant.name': 'first_name/last_name', lon: 'long', address: 'address_string', category_id: 'service_code',
};

function describeZod(lang: Lang, err: ZodError): string {
  return Object.entries(zodDetails(lang, err)).map(([field, msg]) => `${OPEN311_NAMES[field] ?? field}: ${msg}`).join('; ');
}

export const open311Routes = (app: App) => async (r: FastifyInstance) => {
  // Every error, here and in the community lookup before it, in the spec's format.
  r.setErrorHandler(async (err: FastifyError | AppError | ZodError, req, reply) => {
    const lang: Lang = req.lang ?? 'uk';
    let status = 500;
    let key: MessageKey = 'error.internal';
    let detail: string | undefined;
    if (err instanceof AppError) {
      status = err.status;
      key = err.key;
      if (typeof err.details === 'string') detail = err.details;
      if (err.code === 'unknown_language') detail = 'lang must be one of uk, en, fa.';
    } else if (err instanceof ZodError) {
      status = 400;
      key = 'error.invalid';
      detail = describeZod(lang, err);
    } else {
      const fe = err as FastifyError;
      if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') [status, key] = [413, 'error.body_too_large'];
      else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') [status, key, detail] = [415, 'error.unsupported_media_type', 'Send application/x-www-form-urlencoded or application/json.'];
      else if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) [status, key] = [400, 'error.invalid_json'];
      else if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) [status, key] = [fe.statusCode, 'error.invalid'];
    }
    if (status >= 500) req.log.error({ err, reqId: req.id }, 'open311 request failed');
    const message = t(lang, key, { count: 0 });
    const errors = [{ code: status, description: detail ? `${message} ${detail}` : message }];
    reply.header('cache-control', 'no-store');
    return send(reply, formatOfUrl(req.url), errors, () => errorsXml(errors), status);
  });
  r.setNotFoundHandler(async (req) => {
    throw fail(404, 'error.not_found', `${req.method} ${req.url.split('?')[0]} is not an Open311 GeoReport v2 resource.`);
  });
  // Public, read-only data: any web page may read it.
  r.addHook('onSend', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD') reply.header('access-control-allow-origin', '*');
  });

  for (const format of ['json', 'xml'] as const) {
    r.get(`/discovery.${format}`, async (req, reply) => {
      const c = req.community;
      const changed = await withCommunity(app.db, c.id, (tx) =>
        sql<{ at: Date | null }>`select greatest(max(created_at), max(archived_at)) as at from appeal_categories`.execute(tx));
      const changeset = isoWithOffset(changed.rows[0]?.at ?? new Date(0), c.time_zone);
      const base = `${origin(app, req)}${req.base}`;
      const contact = [c.contacts.email, c.contacts.phone].filter(Boolean).join(', ') || base;
      const d: Discovery = {
        changeset,
        contact,
        key_service: `api_key: a personal API token (scope "write") of a staff member who handles appeals, created at ${base}/console/security`,
        endpoints: [{ specification: OPEN311_SPEC, url: `${base}/open311/v2`, changeset, type: 'production', formats: [...OPEN311_FORMATS] }],
      };
      return send(reply, format, d, () => discoveryXml(d));
    });

    r.get(`/v2/services.${format}`, async (req, reply) => {
      checkJurisdiction(req);
      const c = req.community;
      const { cats, orgs } = await withCommunity(app.db, c.id, async (tx) => ({ cats: await listCategories(tx), orgs: await orgNames(tx) }));
      const services = cats.map((cat) => toService(cat, req.lang, c.default_lang, orgs));
      return send(reply, format, services, () => servicesXml(services));
    });

    r.get(`/v2/requests.${format}`, async (req, reply) => {
      checkJurisdiction(req);
      const c = req.community;
      const q = flat(req.query);
      const ids = list(req.query, 'service_request_id');
      if (ids.length > MAX_REQUESTS || ids.some((id) => id.length > 60)) throw fail(400, 'error.invalid', `service_request_id: at most ${MAX_REQUESTS} ids.`);
      const codes = list(req.query, 'service_code');
      const statuses = list(req.query, 'status').map((s) => s.toLowerCase());
      const badStatus = statuses.find((s) => s !== 'open' && s !== 'closed');
      if (badStatus) throw fail(400, 'error.invalid', 'status must be open or closed.');
      let start = parseDate(q.start_date, 'start_date', c.time_zone);
      let end = parseDate(q.end_date, 'end_date', c.time_zone);
      if (!start && !end) end = new Date();
      if (!start) start = new Date(end!.getTime() - WINDOW_DAYS * DAY);
      if (!end) end = new Date(start.getTime() + WINDOW_DAYS * DAY);
      if (end < start) throw fail(400, 'error.invalid', 'end_date is before start_date.');
      if (end.getTime() - start.getTime() > WINDOW_DAYS * DAY) throw fail(400, 'error.invalid', `start_date and end_date may not span more than ${WINDOW_DAYS} days.`);

      const { rows, orgs } = await withCommunity(app.db, c.id, async (tx) => {
        let query = publicRequests(tx).orderBy('a.created_at', 'desc').limit(MAX_REQUESTS);
        if (ids.length) query = query.where('a.number', 'in', ids); // overrides every other filter
        else {
          query = query.where('a.created_at', '>=', start).where('a.created_at', '<=', end);
          if (codes.length) query = query.where('c.code', 'in', codes);
          const wanted = new Set(statuses);
          if (wanted.size === 1) query = query.where('a.status', 'in', wanted.has('open') ? [...OPEN_STATUSES] : [...CLOSED_STATUSES]);
        }
        return { rows: await query.execute(), orgs: await orgNames(tx) };
      });
      const requests = rows.map((a) => toServiceRequest(a, req.lang, { timeZone: c.time_zone, defaultLang: c.default_lang }, orgs));
      return send(reply, format, requests, () => requestsXml(requests));
    });

    r.post(`/v2/requests.${format}`, async (req, reply) => {
      checkJurisdiction(req);
      const c = req.community;
      const body = flat(req.body);
      const query = flat(req.query);
      const apiKey = body.api_key ?? query.api_key;
      if (!apiKey) throw fail(401, 'error.unauthenticated', 'api_key is required.');
      const idemHeader = req.headers['idempotency-key'];
      const idempotencyKey = typeof idemHeader === 'string' && idemHeader.trim() ? idemHeader.trim() : null;
      if (idempotencyKey && idempotencyKey.length > 200) throw fail(400, 'error.invalid', 'Idempotency-Key: at most 200 characters.');
      const wantLang = query.lang ?? body.lang;
      const lang: Lang = isLang(wantLang) ? wantLang : c.default_lang;

      const file = () => withCommunity(app.db, c.id, async (tx) => {
        // The key, then the input, then the filing: one transaction, so a refusal changes nothing.
        const token = await findApiToken(tx, apiKey);
        if (!token) throw fail(401, 'error.unauthenticated', 'The api_key is unknown, revoked or expired.');
        const user = await tx.selectFrom('users').select(['id', 'display_name', 'is_super_admin', 'disabled_at']).where('id', '=', token.user_id).executeTakeFirst();
        if (!user || user.disabled_at) throw fail(401, 'error.unauthenticated', 'The api_key belongs to a disabled account.');
        if (!token.scopes.includes('write')) throw fail(403, 'error.forbidden', 'The api_key needs the "write" scope.');
        const roles = (await tx.selectFrom('user_roles').select('role').where('user_id', '=', user.id).execute()).map((x) => x.role);
        if (!permissionsOf(roles, user.is_super_admin).has('appeals.use')) throw fail(403, 'error.forbidden', 'The api_key\'s account may not register appeals.');

        const input = PostFields.safeParse(body);
        if (!input.success) throw fail(400, 'error.invalid', describeZod(req.lang, input.error));
        const f = input.data;
        if ((f.lat === undefined) !== (f.long === undefined)) throw fail(400, 'error.invalid', 'lat and long must be given together.');
        if (f.lat === undefined && !f.address_string && !f.address_id) throw fail(400, 'error.invalid', 'A location is required: lat and long, address_string or address_id.');
        const category = await tx.selectFrom('appeal_categories').select(['id']).where('code', '=', f.service_code.toLowerCase()).where('archived_at', 'is', null).executeTakeFirst();
        if (!category) throw fail(400, 'appeals.error.unknown_category', `Unknown service_code "${f.service_code}".`);

        const actor: Actor = { type: 'token', id: user.id, label: user.display_name, communityId: c.id, requestId: String(req.id), ip: clientIp(req) };
        const name = [f.first_name, f.last_name].filter(Boolean).join(' ') || undefined;
        const { appeal } = await fileAppeal(
          { ...appealsCtx(app, req, tx), actor },
          {
            type: 'statement',
            category_id: category.id,
            description: f.description,
            // No master address repository here: the id is kept for the operators, never published.
            address: f.address_string ?? (f.address_id ? `address_id: ${f.address_id}` : undefined),
            lat: f.lat,
            lon: f.long,
            applicant: { name, email: f.email, phone: f.phone },
          },
          { channel: 'open311', lang, idempotencyKey },
        );
        return appeal;
      });
      let appeal;
      try {
        appeal = await file();
      } catch (e) {
        // Two requests with the same Idempotency-Key at once: the second sees the first's appeal.
        if (idempotencyKey && (e as { code?: string }).code === '23505') appeal = await file();
        else throw e;
      }
      const created = [{ service_request_id: appeal.number, service_notice: serviceNotice(appeal.service_due_at, req.lang, c.time_zone), account_id: null }];
      reply.header('cache-control', 'no-store');
      return send(reply, format, created, () => requestsXml(created));
    });
  }

  r.get('/v2/services/:file', async (req, reply) => {
    const [code, format] = splitFile((req.params as { file: string }).file);
    checkJurisdiction(req);
    const found = await withCommunity(app.db, req.community.id, (tx) =>
      tx.selectFrom('appeal_categories').select('code').where('code', '=', code.toLowerCase()).where('archived_at', 'is', null).executeTakeFirst());
    if (!found) throw fail(404, 'error.not_found', `Unknown service_code "${code.slice(0, 60)}".`);
    const d = toServiceDefinition(found.code);
    return send(reply, format, d, () => serviceDefinitionXml(d));
  });

  r.get('/v2/requests/:file', async (req, reply) => {
    const [number, format] = splitFile((req.params as { file: string }).file);
    checkJurisdiction(req);
    const c = req.community;
    const found = number.length <= 60
      ? await withCommunity(app.db, c.id, async (tx) => {
        const row = await publicRequests(tx).where('a.number', '=', number).executeTakeFirst();
        return row ? { row, orgs: await orgNames(tx) } : null;
      })
      : null;
    if (!found) throw fail(404, 'error.not_found', `No public service request "${number.slice(0, 60)}".`);
    const requests = [toServiceRequest(found.row, req.lang, { timeZone: c.time_zone, defaultLang: c.default_lang }, found.orgs)];
    return send(reply, format, requests, () => requestsXml(requests));
  });

  r.get('/v2/tokens/:file', async (req) => {
    splitFile((req.params as { file: string }).file);
    checkJurisdiction(req);
    throw fail(404, 'error.not_found', 'Tokens are not issued: POST /requests answers with the service_request_id at once.');
  });
};
