import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkCsrf, requireStaff } from '../http/auth.ts';
import type { Permission } from '../modules/identity/roles.ts';
import type { StaffAuth } from '../http/context.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export type Operation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  permission?: Permission;
  /** Staff sign-in required (default true). */
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response: z.ZodType;
  status?: number;
  handler: (input: { req: FastifyRequest; staff: StaffAuth; params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> }) => Promise<unknown>;
};

/** No path parameters, no query: made once (a zod schema made per request is compiled per request). */
const NONE = z.object({});

const ops: Array<Operation<z.ZodType, z.ZodType, z.ZodType>> = [];

/** Registers a JSON API operation: auth -> validate -> handler -> present; and records it for OpenAPI. */
export function operation<P extends z.ZodType = z.ZodObject<{}>, Q extends z.ZodType = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined>(
  r: FastifyInstance,
  op: Operation<P, Q, B>,
) {
  if (!ops.some((o) => o.method === op.method && o.path === op.path)) ops.push(op as never);
  r.route({
    method: op.method,
    url: op.path.replace(/\{(\w+)\}/g, ':$1'),
    handler: async (req, reply) => {
      const write = op.method !== 'GET';
      const staff = op.auth === false ? (req.staff as StaffAuth) : requireStaff(req, op.permission, write);
      if (write && staff?.kind === 'staff') checkCsrf(req);
      const params = (op.params ?? NONE).parse(stripSlug(req.params)) as z.infer<P>;
      const query = (op.query ?? NONE).parse(req.query ?? {}) as z.infer<Q>;
      const body = op.body ? op.body.parse(req.body ?? {}) : undefined;
      const out = await op.handler({ req, staff, params, query, body: body as never });
      reply.code(op.status ?? 200);
      return out;
    },
  });
}

const stripSlug = (p: unknown) => {
  const { slug: _slug, ...rest } = (p ?? {}) as Record<string, unknown>;
  return rest;
};

const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const ErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', pattern: '^[a-z_]+$' }, message: { type: 'string' }, details: {} },
    },
  },
};

/** OpenAPI 3.1 built from the same zod schemas that validate the requests. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
      if (!schema || !(schema instanceof z.ZodObject)) continue;
      for (const [name, s] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
        parameters.push({ name, in: where, required: where === 'path' || !s.safeParse(undefined).success, schema: jsonSchema(s) });
      }
    }
    parameters.push({ name: 'lang', in: 'query', required: false, schema: { enum: ['uk', 'en', 'fa'] }, description: 'Language of error messages (else Accept-Language).' });
    paths[`/api${op.path}`] ??= {};
    paths[`/api${op.path}`][op.method.toLowerCase()] = {
      summary: op.summary,
      tags: [op.tag],
      ...(op.auth === false ? { security: [] } : {}),
      parameters,
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: jsonSchema(op.response) } } },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'CityDesk API', version: '1', description: 'JSON API of CityDesk. Authenticate with a personal API token (console → My security) as `Authorization: Bearer cdk_…`. Another community than the default is reached under `/c/{slug}/api/…`.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: ErrorSchema } },
    paths,
  };
}
