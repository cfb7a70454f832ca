import sharp from 'sharp';
import { z } from 'zod';
import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import { withCommunity, withSystem, type Db } from '../../db/db.ts';
import { configureMedia, mediaSettings, originalKey, plannedWidths, variantKey, VARIANT_TYPES, type VariantExt } from './service.ts';

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
  const widths = plannedWidths(item.width);
  for (const w of widths) {
    const base = sharp(original).resize({ width: w, withoutEnlargement: true });
    const outputs: Record<VariantExt, () => Promise<Buffer>> = {
      avif: () => base.clone().avif({ quality: 50, effort: 4 }).toBuffer(),
      webp: () => base.clone().webp({ quality: 78 }).toBuffer(),
      jpg: () => base.clone().flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true }).toBuffer(),
    };
    for (const ext of Object.keys(outputs) as VariantExt[]) {
      await storage.put(variantKey(data.communityId, item.id, w, ext), await outputs[ext](), VARIANT_TYPES[ext]);
    }
  }
  await withCommunity(db, data.communityId, (tx) => tx.updateTable('media_items').set({ variant_widths: widths, variants_at: new Date() }).where('id', '=', item.id).execute());
  return widths;
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
    { name: 'media.sweep', schema: z.object({}).passthrough(), cron: '41 3 * * *', run: async () => {
      const removed = await sweepOrphans(d.db);
      if (removed) d.log.info({ removed }, 'media: orphan files removed');
    } },
  ];
};
