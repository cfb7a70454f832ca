import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { AppError } from '../../http/errors.ts';
import type { MessageKey } from '../../i18n/i18n.ts';

/** Formats accepted, judged by content (sharp's decoder, heic-decode for HEVC HEIC). */
const EXTENSIONS: Record<string, string[]> = {
  jpeg: ['jpg', 'jpeg', 'jpe', 'jfif'],
  png: ['png'],
  webp: ['webp'],
  heif: ['heic', 'heif', 'avif', 'hif'],
};
const FORMAT_LABEL: Record<string, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', heif: 'HEIC/AVIF' };
/** The stored original is at most this long on its long side; larger photos are scaled down. */
export const ORIGINAL_MAX_SIDE = 4096;

export type ImageLimits = { maxBytes: number; maxPixels: number };
export const DEFAULT_MAX_PIXELS = 50_000_000;

export type PreparedImage = {
  bytes: Buffer;
  format: 'jpeg' | 'png';
  sourceFormat: string;
  width: number;
  height: number;
  sha256: string;
  filename: string | null;
};

export const imageError = (key: MessageKey, name: string, params: Record<string, string | number> = {}) =>
  new AppError(400, 'invalid_input', key, { photos: key.replace('media.error.', '') }, { name, ...params });

export const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

type Heic = { width: number; height: number; decode: () => Promise<{ width: number; height: number; data: Uint8ClampedArray }> };
type HeicAll = ((o: { buffer: Buffer }) => Promise<Heic[] & { dispose?: () => void }>);
let heicAll: HeicAll | null = null;
/** heic-decode (libheif in WebAssembly) is loaded only when a HEVC-coded HEIC arrives. */
const loadHeic = (): HeicAll => (heicAll ??= (createRequire(import.meta.url)('heic-decode') as { all: HeicAll }).all);

const isHeicBrand = (b: Buffer) => b.length > 12 && b.toString('latin1', 4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|mif1|msf1|heim|heis)$/.test(b.toString('latin1', 8, 12));

/** Decodes a HEIC that sharp's libheif cannot (HEVC): raw RGBA pixels for sharp. */
async function decodeHeic(bytes: Buffer, name: string, limits: ImageLimits) {
  // sharp's own libheif here reads AVIF only (sharp.format.heif.input.fileSuffix is ['.avif']);
  // a HEIC neither can read gets a message asking for a JPEG, not "this is not a photo".
  const images = await loadHeic()({ buffer: bytes }).catch(() => null);
  if (!images?.length) throw imageError('media.error.heic', name);
  try {
    const first = images[0];
    if (first.width * first.height > limits.maxPixels) throw imageError('media.error.too_many_pixels', name, { size: Math.round(first.width * first.height / 1e6), max: limits.maxPixels / 1e6 });
    const img = await first.decode().catch(() => {
      throw imageError('media.error.heic', name);
    });
    return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } });
  } finally {
    images.dispose?.();
  }
}

/**
 * Checks an upload by its content and returns the normalised original: EXIF orientation
 * applied, scaled to at most ORIGINAL_MAX_SIDE, every metadata block (EXIF, GPS, XMP, IPTC, ICC
 * after conversion to sRGB) dropped. Throws an AppError whose message names the file.
 */
export async function prepareImage(bytes: Buffer, filename: string | null | undefined, limits: ImageLimits): Promise<PreparedImage> {
  const name = (filename ?? '').replace(/[\\/]/g, '_').slice(-120);
  const shown = name || '—';
  if (bytes.length > limits.maxBytes) throw imageError('media.error.too_big', shown, { size: mb(bytes.length), max: mb(limits.maxBytes) });
  if (bytes.length === 0) throw imageError('media.error.not_image', shown);
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => null);
  let format = meta?.format as string | undefined;
  if (!meta && isHeicBrand(bytes)) format = 'heif';
  if (!format || !(format in EXTENSIONS)) throw imageError('media.error.not_image', shown);
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
  if (ext && !EXTENSIONS[format].includes(ext)) throw imageError('media.error.disguised', shown, { format: FORMAT_LABEL[format] });
  if (meta?.width && meta.height && meta.width * meta.height > limits.maxPixels) {
    throw imageError('media.error.too_many_pixels', shown, { size: Math.round((meta.width * meta.height) / 1e6), max: limits.maxPixels / 1e6 });
  }
  // sharp's bundled libheif reads AVIF only; HEVC-coded HEIC from phones goes through heic-decode.
  const useHeicDecoder = format === 'heif' && (!meta || meta.compression === 'hevc');
  const input = useHeicDecoder ? await decodeHeic(bytes, shown, limits) : sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' });
  const hasAlpha = useHeicDecoder ? false : !!meta?.hasAlpha;
  const pipeline = input.rotate().resize({ width: ORIGINAL_MAX_SIDE, height: ORIGINAL_MAX_SIDE, fit: 'inside', withoutEnlargement: true });
  // Transparent images keep their alpha as PNG; everything else becomes a JPEG.
  const out = await (hasAlpha ? pipeline.png({ compressionLevel: 9 }) : pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 88, mozjpeg: true }))
    .toBuffer({ resolveWithObject: true })
    .catch((e: unknown) => {
      if (e instanceof AppError) throw e;
      throw imageError('media.error.not_image', shown);
    });
  return {
    bytes: out.data,
    format: hasAlpha ? 'png' : 'jpeg',
    sourceFormat: format,
    width: out.info.width,
    height: out.info.height,
    sha256: createHash('sha256').update(out.data).digest('hex'),
    filename: name || null,
  };
}
