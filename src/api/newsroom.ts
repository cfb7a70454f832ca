import type { FastifyInstance } from 'fastify';
import type { App } from '../http/context.ts';

export const newsroomApi = (_app: App) => async (_r: FastifyInstance) => {};
