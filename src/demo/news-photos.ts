// Demo cover pictures, drawn locally (SVG rendered by sharp: coloured shapes, no text) and stored
// in the media module's storage with their responsive variants, so the demo works offline.
import sharp from 'sharp';
import type { Tx } from '../db/db.ts';
import type { Config } from '../config.ts';
import { configureMedia, mediaSettings, originalKey, plannedWidths, prepareImage, variantKey, VARIANT_TYPES, type VariantExt } from '../modules/media/service.ts';

const COLOURS = [
  { hex: '#0b4f9c', uk: 'сині', en: 'blue', fa: 'آبی' },
  { hex: '#f2b705', uk: 'жовті', en: 'yellow', fa: 'زرد' },
  { hex: '#1e7b34', uk: 'зелені', en: 'green', fa: 'سبز' },
  { hex: '#c8553d', uk: 'теракотові', en: 'terracotta', fa: 'آجری' },
  { hex: '#6a4c93', uk: 'фіолетові', en: 'violet', fa: 'بنفش' },
  { hex: '#2ec4b6', uk: 'бірюзові', en: 'turquoise', fa: 'فیروزه‌ای' },
];
const SHAPES = [
  { uk: 'кола', en: 'circles', fa: 'دایره‌ها' },
  { uk: 'смуги', en: 'stripes', fa: 'نوارها' },
  { uk: 'трикутники', en: 'triangles', fa: 'مثلث‌ها' },
];
const W = 960;
const H = 540;

function svg(i: number): string {
  const bg = COLOURS[i % COLOURS.length];
  const fg = COLOURS[(i * 5 + 2) % COLOURS.length];
  const alt = COLOURS[(i * 7 + 3) % COLOURS.length];
  const shape = i % SHAPES.length;
  const items: string[] = [];
  for (let k = 0; k < 7; k++) {
    const x = (k * 197 + i * 61) % W;
    const y = (k * 131 + i * 89) % H;
    const c = k % 2 ? fg.hex : alt.hex;
    if (shape === 0) items.push(`<circle cx="${x}" cy="${y}" r="${60 + ((k * 37 + i * 13) % 140)}" fill="${c}" fill-opacity="0.85"/>`);
    else if (shape === 1) items.push(`<rect x="${-200 + k * 220}" y="0" width="${70 + (k * 23) % 60}" height="${H * 1.6}" fill="${c}" transform="rotate(${20 + i * 3} ${W / 2} ${H / 2})"/>`);
    else items.push(`<polygon points="${x},${y} ${(x + 220) % W},${(y + 60) % H} ${(x + 90) % W},${(y + 260) % H}" fill="${c}" fill-opacity="0.9"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${bg.hex}"/><stop offset="1" stop-color="#ffffff" stop-opacity="0.35"/></linearGradient></defs><rect width="${W}" height="${H}" fill="${bg.hex}"/><rect width="${W}" height="${H}" fill="url(#g)"/>${items.join('')}</svg>`;
}

function altOf(i: number) {
  const bg = COLOURS[i % COLOURS.length];
  const fg = COLOURS[(i * 5 + 2) % COLOURS.length];
  const s = SHAPES[i % SHAPES.length];
  return {
    uk: `Ілюстрація: ${fg.uk} ${s.uk} на ${bg.uk.replace(/і$/, 'ому')} тлі`,
    en: `Illustration: ${fg.en} ${s.en} on a ${bg.en} background`,
    fa: `تصویرسازی: ${s.fa}ی ${fg.fa} روی زمینهٔ ${bg.fa}`,
  };
}

/** Draws `count` pictures and stores them as public newsroom media of the community; returns their ids. */
export async function loadDemoPhotos(tx: Tx, config: Config, communityId: string, count: number): Promise<string[]> {
  let settings;
  try {
    settings = mediaSettings();
  } catch {
    settings = configureMedia(config);
  }
  const ids: string[] = [];
  // Drawn in parallel (sharp works on its own threads); stored in order.
  const drawn = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const jpeg = await sharp(Buffer.from(svg(i))).jpeg({ quality: 82 }).toBuffer();
      const img = await prepareImage(jpeg, `demo-${i + 1}.jpg`, settings.limits);
      const variants = await Promise.all(
        plannedWidths(img.width).flatMap((w) => {
          const base = sharp(img.bytes).resize({ width: w });
          const out: Record<VariantExt, () => Promise<Buffer>> = {
            jpg: () => base.clone().jpeg({ quality: 78 }).toBuffer(),
            webp: () => base.clone().webp({ quality: 75 }).toBuffer(),
            avif: () => base.clone().avif({ quality: 50, effort: 0 }).toBuffer(),
          };
          return (Object.keys(out) as VariantExt[]).map(async (ext) => ({ w, ext, bytes: await out[ext]() }));
        }),
      );
      return { img, variants };
    }),
  );
  for (const [i, { img, variants }] of drawn.entries()) {
    const row = await tx
      .insertInto('media_items')
      .values({
        community_id: communityId, purpose: 'newsroom', visibility: 'public', format: img.format, source_format: img.sourceFormat,
        width: img.width, height: img.height, bytes: img.bytes.length, sha256: img.sha256, filename: img.filename,
        alt: JSON.stringify(altOf(i)), caption: '{}', credit: null, created_by_type: 'system', created_by: null,
        variant_widths: [...new Set(variants.map((v) => v.w))], variants_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await settings.storage.put(originalKey(communityId, row.id, img.format), img.bytes, img.format === 'png' ? 'image/png' : 'image/jpeg');
    for (const v of variants) await settings.storage.put(variantKey(communityId, row.id, v.w, v.ext), v.bytes, VARIANT_TYPES[v.ext]);
    ids.push(row.id);
  }
  return ids;
}
