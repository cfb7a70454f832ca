import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { Config } from '../../config.ts';
import { AppError } from '../../http/errors.ts';
import { mediaSettings, prepareImage, type PreparedImage } from './service.ts';
import { imageError, mb } from './image.ts';

/** A file part of a multipart form, read into memory (at most uploadMaxBytes + 1 byte). */
export type UploadedFile = { field: string; filename: string; mimetype: string; bytes: Buffer; truncated: boolean };

declare module 'fastify' {
  interface FastifyRequest {
    uploads: UploadedFile[];
  }
}

/** Files per request the parser reads at all; the forms' own limit (5) is checked with a clear message. */
export const MAX_FILES_PER_REQUEST = 10;

/**
 * Multipart forms (photos) for every route: text fields land in `req.body` as strings, exactly
 * like urlencoded forms (so `_csrf` and the routes' zod parsing work unchanged), files in
 * `req.uploads`. A file over the size limit is cut off and flagged, not thrown, so that the form
 * can answer with its own message and keep what the user typed.
 */
export async function registerUploads(server: FastifyInstance, c: Pick<Config, 'uploadMaxBytes' | 'bodyLimit'>) {
  server.decorateRequest('uploads', null as never);
  server.addHook('onRequest', async (req) => {
    req.uploads = [];
  });
  await server.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    // Text fields get the same limit as an urlencoded body.
    limits: { fileSize: c.uploadMaxBytes, files: MAX_FILES_PER_REQUEST, fields: 200, fieldSize: c.bodyLimit, parts: 250 },
    onFile: async function (this: import('fastify').FastifyRequest, part) {
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      // A file input left empty still sends a part without a name and without bytes.
      if (!part.filename && bytes.length === 0) return;
      this.uploads.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, bytes, truncated: part.file.truncated });
    },
  });
}

/**
 * Checks the photos of one form field before any transaction: at most `max`, each an image by
 * its content, within the limits. Throws the first problem as an AppError (message names the file).
 */
export async function preparePhotos(files: UploadedFile[], field: string, max: number): Promise<PreparedImage[]> {
  const mine = files.filter((f) => f.field === field && (f.filename || f.bytes.length));
  if (mine.length > max) throw new AppError(400, 'invalid_input', 'media.error.too_many', { [field]: 'too_many' }, { count: mine.length, max });
  const { limits } = mediaSettings();
  const out: PreparedImage[] = [];
  for (const f of mine) {
    // The parser stopped reading a file at the limit: it is too big, whatever it holds.
    if (f.truncated) throw imageError('media.error.too_big', f.filename || '—', { size: `> ${mb(limits.maxBytes)}`, max: mb(limits.maxBytes) });
    out.push(await prepareImage(f.bytes, f.filename, limits));
  }
  return out;
}
