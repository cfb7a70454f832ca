import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { z } from 'zod';
import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import { withCommunity, withSystem, type Db } from '../../db/db.ts';
import { configureMedia, mediaSettings, originalKey, plannedWidths, variantKey, videoKey, VARIANT_TYPES, type VariantExt } from './service.ts';
import { ORIGINAL_MAX_SIDE } from './image.ts';

const VariantsJob = z.object({ communityId: z.string().uuid(), id: z.string().uuid() });

/**
 * Writes the responsive variants of one item: each planned width in AVIF, WebP and JPEG.
 * Idempotent: a rerun overwrites the same keys with the same pictures.
 */
export async function makeVariants(db: Db, data: z.infer<typeof VariantsJob>): Promise<number[]> {
  const { storage } = mediaSettings();
  const item = await withCommunity(db, data.communityId, (tx) => tx.selectFrom('media_items').select(['id', 'format', 'width']).where('id', '=', data.id).executeTakeFirst());
  if (!item) return []; // its upload rolled back
  const original = await storage.get(originalKey(data.communityId, item.id, item.format));
  if (!original) throw new Error(`media original missing: ${item.id}`);
  const widths = await writeVariants(data.communityId, item.id, original, item.width);
  await withCommunity(db, data.communityId, (tx) => tx.updateTable('media_items').set({ variant_widths: widths, variants_at: new Date() }).where('id', '=', item.id).execute());
  return widths;
}

/** Each planned width of a picture in AVIF, WebP and JPEG (photos and videos' poster frames). */
async function writeVariants(communityId: string, id: string, original: Buffer, width: number): Promise<number[]> {
  const { storage } = mediaSettings();
  const widths = plannedWidths(width);
  for (const w of widths) {
    const base = sharp(original).resize({ width: w, withoutEnlargement: true });
    const outputs: Record<VariantExt, () => Promise<Buffer>> = {
      avif: () => base.clone().avif({ quality: 50, effort: 4 }).toBuffer(),
      webp: () => base.clone().webp({ quality: 78 }).toBuffer(),
      jpg: () => base.clone().flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true }).toBuffer(),
    };
    for (const ext of Object.keys(outputs) as VariantExt[]) {
      await storage.put(variantKey(communityId, id, w, ext), await outputs[ext](), VARIANT_TYPES[ext]);
    }
  }
  return widths;
}

type Run = { code: number | null; stdout: Buffer; stderr: string; missing: boolean };
const FFMPEG_TIMEOUT_MS = 120_000;

/** Runs ffmpeg: its output (bounded), its messages, and whether the binary was missing. */
function runFfmpeg(bin: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), FFMPEG_TIMEOUT_MS);
    p.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes <= 64 * 1024 * 1024) out.push(c);
      else p.kill('SIGKILL');
    });
    p.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += c.toString('utf8');
    });
    p.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: Buffer.alloc(0), stderr: String(e), missing: e.code === 'ENOENT' || e.code === 'EACCES' });
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr, missing: false });
    });
  });
}

/** "Duration: 00:01:02.50," in ffmpeg's description of its input, in milliseconds. */
export const ffmpegDuration = (stderr: string): number | null => {
  const m = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  return m ? Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000) : null;
};

/**
 * A video's poster frame: ffmpeg grabs the frame at 1 s (the first frame of a shorter clip),
 * turned upright as players show it; stored as poster.jpg with the photos' responsive
 * variants; the row gets the real width, height and duration. Without ffmpeg (or when no
 * frame can be read) the video keeps playing without a poster and the row says why.
 * Idempotent.
 */
export async function makePoster(db: Db, data: z.infer<typeof VariantsJob>, ffmpeg = mediaSettings().video.ffmpeg): Promise<{ poster: boolean; problem: 'no_ffmpeg' | 'no_frame' | null }> {
  const { storage } = mediaSettings();
  const item = await withCommunity(db, data.communityId, (tx) =>
    tx.selectFrom('media_items').select(['id', 'format', 'kind', 'duration_ms']).where('id', '=', data.id).executeTakeFirst());
  if (!item || item.kind !== 'video' || (item.format !== 'mp4' && item.format !== 'webm')) return { poster: false, problem: null };
  const key = videoKey(data.communityId, item.id, item.format);
  let file = storage.localPath?.(key) ?? null;
  let tmpDir: string | null = null;
  const done = async (set: { poster: boolean; poster_problem: 'no_ffmpeg' | 'no_frame' | null; width?: number; height?: number; duration_ms?: number | null; variant_widths?: number[] }) => {
    await withCommunity(db, data.communityId, (tx) => tx.updateTable('media_items').set({ ...set, variants_at: new Date() }).where('id', '=', item.id).execute());
    return { poster: set.poster, problem: set.poster_problem };
  };
  try {
    if (!file) {
      // A store without local files: ffmpeg needs a seekable file (an MP4's index may come last).
      const src = await storage.stream(key);
      if (!src) throw new Error(`media video missing: ${item.id}`);
      tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-poster-'));
      file = path.join(tmpDir, `video.${item.format}`);
      await pipeline(src.body, createWriteStream(file));
    }
    const grab = (at: string | null) => runFfmpeg(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'info', ...(at ? ['-ss', at] : []), '-i', file!, '-frames:v', '1', '-an', '-sn', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1']);
    let run = await grab('1');
    if (run.missing) return await done({ poster: false, poster_problem: 'no_ffmpeg' });
    // A clip shorter than a second has no frame at 1 s: take its first one.
    if (!run.stdout.length) run = await grab(null);
    const duration = ffmpegDuration(run.stderr) ?? item.duration_ms;
    const frame = run.stdout.length ? await sharp(run.stdout).resize({ width: ORIGINAL_MAX_SIDE, height: ORIGINAL_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#000000' }).jpeg({ quality: 88, mozjpeg: true }).toBuffer({ resolveWithObject: true }).catch(() => null) : null;
    if (!frame) return await done({ poster: false, poster_problem: 'no_frame', duration_ms: duration });
    await storage.put(originalKey(data.communityId, item.id, item.format), frame.data, 'image/jpeg');
    const widths = await writeVariants(data.communityId, item.id, frame.data, frame.info.width);
    return await done({ poster: true, poster_problem: null, width: frame.info.width, height: frame.info.height, duration_ms: duration, variant_widths: widths });
  } finally {
    if (tmpDir) await fs.rm(tmpDir, { recursive: true, force: true });
  }
}

const SWEEP_MAX_FILES = 50_000;
const DAY = 24 * 3600 * 1000;

/**
 * Removes files without a row: left by uploads whose transaction rolled back, and temp files of
 * writes cut off by a crash. Only files older than a day, so an upload in flight is never touched,
 * and only in the folders of this database's communities, so that two deployments (or a test
 * run) sharing a media folder never sweep each other's files.
 */
export async function sweepOrphans(db: Db, now = Date.now()): Promise<number> {
  const { storage } = mediaSettings();
  const communities = await withSystem(db, (tx) => tx.selectFrom('communities').select('id').execute());
  const old = new Map<string, string[]>();
  let seen = 0;
  for (const c of communities) for await (const f of storage.list(c.id)) {
    if (++seen > SWEEP_MAX_FILES) break;
    if (now - f.modifiedAt.getTime() < DAY) continue;
    const id = f.key.split('/')[1];
    if (f.key.endsWith('.tmp') || !id || !z.string().uuid().safeParse(id).success) {
      if (f.key.endsWith('.tmp')) await storage.delete(f.key);
      continue;
    }
    old.set(id, [...(old.get(id) ?? []), f.key]);
  }
  if (!old.size) return 0;
  const ids = [...old.keys()];
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await withSystem(db, (tx) => tx.selectFrom('media_items').select('id').where('id', 'in', ids.slice(i, i + 1000)).execute());
    for (const r of rows) known.add(r.id);
  }
  let removed = 0;
  for (const [id, keys] of old) {
    if (known.has(id)) continue;
    for (const k of keys) await storage.delete(k);
    removed += keys.length;
  }
  return removed;
}

export const mediaJobs = (d: ModuleDeps): JobDef[] => {
  configureMedia(d.config);
  return [
    { name: 'media.variants', schema: VariantsJob, retryLimit: 5, run: async (data) => void (await makeVariants(d.db, VariantsJob.parse(data))) },
    { name: 'media.poster', schema: VariantsJob, retryLimit: 3, run: async (data) => void (await makePoster(d.db, VariantsJob.parse(data))) },
    { name: 'media.sweep', schema: z.object({}).passthrough(), cron: '41 3 * * *', run: async () => {
      const removed = await sweepOrphans(d.db);
      if (removed) d.log.info({ removed }, 'media: orphan files removed');
    } },
  ];
};
