import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { Config } from '../../config.ts';
import { AppError } from '../../http/errors.ts';
import { STAFF_COOKIE } from '../../http/auth.ts';
import { mediaSettings, prepareImage, prepareVideo, type PreparedImage, type PreparedVideo } from './service.ts';
import { imageError, mb } from './image.ts';

/** A file part of a multipart form, read into memory (at most uploadMaxBytes), or — a video on a
 * route that takes videos — streamed to a temp file (`disk`, removed when the response is sent). */
export type UploadedFile = { field: string; filename: string; mimetype: string; bytes: Buffer; truncated: boolean; disk?: { path: string; size: number } };

declare module 'fastify' {
  interface FastifyRequest {
    uploads: UploadedFile[];
  }
  interface FastifyContextConfig {
    /** The form's `video` field is streamed to a temp file, up to this many bytes (the route's
     * `multipartOptions.limits.fileSize` must be at least as large). */
    videoUpload?: { maxBytes: number };
  }
}

/** The route options of a form that takes one video (the field `video`) up to `maxBytes`. */
export const videoRoute = (maxBytes: number) => ({ config: { videoUpload: { maxBytes }, multipartOptions: { limits: { fileSize: maxBytes } } } });

const VIDEO_FIELD = 'video';

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
  const removeTemp = async (req: import('fastify').FastifyRequest) => {
    for (const f of req.uploads ?? []) if (f.disk) await fs.rm(f.disk.path, { force: true });
  };
  server.addHook('onResponse', removeTemp);
  server.addHook('onRequestAbort', removeTemp);
  await server.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    // Text fields get the same limit as an urlencoded body.
    limits: { fileSize: c.uploadMaxBytes, files: MAX_FILES_PER_REQUEST, fields: 200, fieldSize: c.bodyLimit, parts: 250 },
    onFile: async function (this: import('fastify').FastifyRequest, part) {
      const video = this.routeOptions.config?.videoUpload;
      if (video && part.fieldname === VIDEO_FIELD) {
        // Staff routes only: a request with no staff session or token at all is refused by the
        // route anyway, so its video is not even written to disk (the body is read and dropped).
        if (!this.cookies?.[STAFF_COOKIE] && !this.headers.authorization) {
          part.file.resume();
          await new Promise((resolve) => part.file.on('end', resolve).on('error', resolve));
          return;
        }
        // Streamed to disk, never held in memory; stopped at the route's limit and flagged.
        const file = path.join(os.tmpdir(), `citydesk-upload-${randomBytes(8).toString('hex')}`);
        const entry: UploadedFile = { field: part.fieldname, filename: part.filename, mimetype: part.mimetype, bytes: Buffer.alloc(0), truncated: false, disk: { path: file, size: 0 } };
        this.uploads.push(entry);
        await pipeline(part.file, createWriteStream(file, { mode: 0o600 }));
        entry.truncated = part.file.truncated;
        entry.disk!.size = (await fs.stat(file)).size;
        if (!part.filename && entry.disk!.size === 0) {
          this.uploads.pop();
          await fs.rm(file, { force: true });
        }
        return;
      }
      // A route that takes videos has a larger limit: other files still stop at uploadMaxBytes.
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      for await (const chunk of part.file) {
        size += (chunk as Buffer).length;
        if (size > c.uploadMaxBytes) over = true;
        else chunks.push(chunk as Buffer);
      }
      const bytes = Buffer.concat(chunks);
      // A file input left empty still sends a part without a name and without bytes.
      if (!part.filename && bytes.length === 0) return;
      this.uploads.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, bytes, truncated: part.file.truncated || over });
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

/**
 * Checks the one video of a form (the field `video`, on a route made with `videoRoute`) before
 * any transaction; null when none was chosen. Throws the problem as an AppError naming the file.
 */
export async function prepareUploadedVideo(files: UploadedFile[], maxBytes: number): Promise<PreparedVideo | null> {
  const mine = files.filter((f) => f.field === VIDEO_FIELD && (f.filename || f.disk?.size || f.bytes.length));
  if (mine.length > 1) throw new AppError(400, 'invalid_input', 'media.error.too_many', { [VIDEO_FIELD]: 'too_many' }, { count: mine.length, max: 1 });
  const f = mine[0];
  if (!f) return null;
  if (!f.disk) throw imageError('media.error.not_video', f.filename || '—');
  return prepareVideo({ path: f.disk.path, size: f.disk.size, truncated: f.truncated }, f.filename, maxBytes);
}
