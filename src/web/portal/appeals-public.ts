import type { FastifyInstance } from 'fastify';
import type { App } from '../../http/context.ts';

export const portalAppealsPublic = (_app: App) => async (_r: FastifyInstance) => {};
