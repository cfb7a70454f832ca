import type { FastifyInstance } from 'fastify';
import type { App } from '../../http/context.ts';

export const consoleAppealsIncidents = (_app: App) => async (_r: FastifyInstance) => {};
