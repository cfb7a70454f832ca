// Video files of the newsroom's library: recognised by their container header (never by name or
// declared type), MP4 with H.264 video (and AAC audio, if any) or WebM.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { imageError, mb } from './image.ts';

export type VideoContainer = 'mp4' | 'webm';
export const VIDEO_TYPES: Record<VideoContainer, string> = { mp4: 'video/mp4', webm: 'video/webm' };
const VIDEO_EXTENSIONS: Record<VideoContainer, string[]> = { mp4: ['mp4', 'm4v'], webm: ['webm'] };
/** Names that say "video": a file so named that is not one is a disguised file. */
const VIDEO_LIKE = /^(mp4|m4v|webm|mov|mkv|avi|3gp|mpg|mpeg|wmv|ogv)$/;

export type PreparedVideo = {
  /** The uploaded file on local disk (a temp file of the request). */
  path: string;
  size: number;
  container: VideoContainer;
  /** e.g. "mp4/avc1+mp4a", "webm" */
  sourceFormat: string;
  /** From the header when it says (MP4); 0 when unknown until the poster frame. */
  width: number;
  height: number;
  durationMs: number | null;
  sha256: string;
  filename: string | null;
};

const ISO_BRANDS = /^(isom|iso[2-9a-c]|mp4[12]|avc1|M4V[ HP]?|mmp4|dash|MSNV|f4v )$/;
const HEIC_BRANDS = /^(heic|heix|hevc|hevx|mif1|msf1|heim|heis|avif|avis)$/;

type Box = { type: string; start: number; end: number };

/** The ISO-BMFF boxes of `buf` between `from` and `to`. */
function boxes(buf: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let head = 8;
    if (size === 1) {
      if (at + 16 > to) break;
      size = Number(buf.readBigUInt64BE(at + 8));
      head = 16;
    } else if (size === 0) size = to - at;
    if (size < head || at + size > to) break;
    out.push({ type, start: at + head, end: at + size });
    at += size;
  }
  return out;
}
const child = (buf: Buffer, b: Box, type: string) => boxes(buf, b.start, b.end).find((x) => x.type === type);

/** What an MP4's movie box says: tracks' handler and codec, the video track's size, the duration. */
function readMoov(moov: Buffer) {
  const top: Box = { type: 'moov', start: 0, end: moov.length };
  let durationMs: number | null = null;
  const mvhd = child(moov, top, 'mvhd');
  if (mvhd && mvhd.end - mvhd.start >= 32) {
    const v1 = moov[mvhd.start] === 1;
    const scale = moov.readUInt32BE(mvhd.start + (v1 ? 20 : 12));
    const duration = v1 ? Number(moov.readBigUInt64BE(mvhd.start + 24)) : moov.readUInt32BE(mvhd.start + 16);
    if (scale > 0 && duration > 0 && duration < 2 ** 53) durationMs = Math.round((duration / scale) * 1000);
  }
  const tracks = boxes(moov, 0, moov.length).filter((b) => b.type === 'trak').map((trak) => {
    const tkhd = child(moov, trak, 'tkhd');
    const mdia = child(moov, trak, 'mdia');
    const hdlr = mdia && child(moov, mdia, 'hdlr');
    const stbl = mdia && ((m) => m && child(moov, m, 'stbl'))(child(moov, mdia, 'minf'));
    const stsd = stbl && child(moov, stbl, 'stsd');
    const handler = hdlr && hdlr.end - hdlr.start >= 12 ? moov.toString('latin1', hdlr.start + 8, hdlr.start + 12) : '';
    const codec = stsd && stsd.end - stsd.start >= 16 ? moov.toString('latin1', stsd.start + 12, stsd.start + 16) : '';
    const size = tkhd && tkhd.end - tkhd.start >= 84 ? [moov.readUInt32BE(tkhd.end - 8) >>> 16, moov.readUInt32BE(tkhd.end - 4) >>> 16] : [0, 0];
    return { handler, codec, width: size[0], height: size[1] };
  });
  return { durationMs, tracks };
}

/** Reads an EBML variable-length integer at `at`: its value and length (marker bit removed when `strip`). */
function vint(buf: Buffer, at: number, strip: boolean): { value: number; len: number } | null {
  const first = buf[at];
  if (first === undefined || first === 0) return null;
  const len = Math.clz32(first) - 23;
  if (len > 8 || at + len > buf.length) return null;
  let value = strip ? first & (0xff >> len) : first;
  for (let i = 1; i < len; i++) value = value * 256 + buf[at + i];
  return { value, len };
}

/** The DocType of an EBML header ("webm", "matroska"), or null. */
function ebmlDocType(head: Buffer): string | null {
  if (head.readUInt32BE(0) !== 0x1a45dfa3) return null;
  const size = vint(head, 4, true);
  if (!size) return null;
  let at = 4 + size.len;
  const end = Math.min(head.length, at + size.value);
  while (at < end) {
    const id = vint(head, at, false);
    if (!id) return null;
    const len = vint(head, at + id.len, true);
    if (!len) return null;
    const data = at + id.len + len.len;
    if (id.value === 0x4282) return head.toString('latin1', data, Math.min(end, data + len.value));
    at = data + len.value;
  }
  return null;
}

/** What a file that is not a video holds, for the message (a web page, a program, a picture...). */
function whatItIs(head: Buffer): 'html' | 'program' | 'image' | 'other' {
  const text = head.toString('latin1', 0, 512).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (/^<(!doctype|html|head|body|script|\?xml|svg|meta|div|iframe)/.test(text)) return 'html';
  if (head.toString('latin1', 0, 2) === 'MZ' || head.readUInt32BE(0) === 0x7f454c46 || text.startsWith('#!')) return 'program';
  if (head[0] === 0xff && head[1] === 0xd8) return 'image';
  if (head.toString('latin1', 1, 4) === 'PNG' || head.toString('latin1', 0, 3) === 'GIF' || head.toString('latin1', 8, 12) === 'WEBP') return 'image';
  if (head.toString('latin1', 4, 8) === 'ftyp' && HEIC_BRANDS.test(head.toString('latin1', 8, 12))) return 'image';
  return 'other';
}

/** The whole movie box of an MP4 whose top-level boxes are read from the file (moov may come last). */
async function findMoov(fh: fs.FileHandle, size: number): Promise<Buffer | null> {
  const head = Buffer.alloc(16);
  let at = 0;
  for (let n = 0; n < 10_000 && at + 8 <= size; n++) {
    const { bytesRead } = await fh.read(head, 0, 16, at);
    if (bytesRead < 8) return null;
    let box = head.readUInt32BE(0);
    let hlen = 8;
    if (box === 1 && bytesRead >= 16) {
      box = Number(head.readBigUInt64BE(8));
      hlen = 16;
    } else if (box === 0) box = size - at;
    if (box < hlen) return null;
    if (head.toString('latin1', 4, 8) === 'moov') {
      // A movie box is a few kilobytes per minute; anything huge is not a video we want.
      if (box > 64 * 1024 * 1024 || at + box > size) return null;
      const moov = Buffer.alloc(box - hlen);
      await fh.read(moov, 0, moov.length, at + hlen);
      return moov;
    }
    at += box;
  }
  return null;
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Checks an uploaded video by its content: an MP4 (ISO brand) whose video track is H.264 and
 * audio AAC, or a WebM (EBML DocType "webm"). Throws an AppError whose message names the file:
 * too big, not a video (a disguised HTML page or program named .mp4 says what it really is),
 * a name that does not fit the content, a codec browsers cannot play.
 */
export async function prepareVideo(file: { path: string; size: number; truncated?: boolean }, filename: string | null | undefined, maxBytes: number): Promise<PreparedVideo> {
  const name = (filename ?? '').replace(/[\\/]/g, '_').slice(-120);
  const shown = name || '—';
  if (file.truncated || file.size > maxBytes) {
    throw imageError('media.error.video_too_big', shown, { size: file.truncated ? `> ${mb(maxBytes)}` : mb(file.size), max: mb(maxBytes) });
  }
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
  const fh = await fs.open(file.path, 'r');
  try {
    const head = Buffer.alloc(Math.min(4096, file.size));
    await fh.read(head, 0, head.length, 0);
    const notVideo = () => {
      if (head.length < 12) return imageError('media.error.not_video', shown);
      const what = whatItIs(head);
      return ext && VIDEO_LIKE.test(ext) ? imageError(`media.error.video_disguised_${what}`, shown) : imageError('media.error.not_video', shown);
    };
    if (head.length < 12) throw notVideo();
    let container: VideoContainer;
    let sourceFormat: string;
    let width = 0;
    let height = 0;
    let durationMs: number | null = null;
    if (head.toString('latin1', 4, 8) === 'ftyp') {
      const major = head.toString('latin1', 8, 12);
      const boxEnd = Math.min(head.length, head.readUInt32BE(0));
      const compatible: string[] = [];
      for (let at = 16; at + 4 <= boxEnd; at += 4) compatible.push(head.toString('latin1', at, at + 4));
      if (HEIC_BRANDS.test(major)) throw notVideo();
      if (major === 'qt  ' && !compatible.some((b) => ISO_BRANDS.test(b))) throw imageError('media.error.video_mov', shown);
      if (!ISO_BRANDS.test(major) && !compatible.some((b) => ISO_BRANDS.test(b))) throw notVideo();
      const moov = await findMoov(fh, file.size);
      if (!moov) throw imageError('media.error.video_broken', shown);
      const info = readMoov(moov);
      const video = info.tracks.find((t) => t.handler === 'vide');
      if (!video) throw imageError('media.error.video_broken', shown);
      if (/^(hvc1|hev1|dvh1|dvhe)$/.test(video.codec)) throw imageError('media.error.video_hevc', shown);
      if (!/^avc[13]$/.test(video.codec)) throw imageError('media.error.video_codec', shown, { codec: video.codec.trim() || '?' });
      const audio = info.tracks.filter((t) => t.handler === 'soun');
      const badAudio = audio.find((t) => t.codec !== 'mp4a');
      if (badAudio) throw imageError('media.error.video_codec', shown, { codec: badAudio.codec.trim() || '?' });
      container = 'mp4';
      sourceFormat = `mp4/${video.codec}${audio.length ? '+mp4a' : ''}`;
      [width, height, durationMs] = [video.width, video.height, info.durationMs];
    } else if (head.readUInt32BE(0) === 0x1a45dfa3) {
      const doc = ebmlDocType(head);
      if (doc !== 'webm') throw doc === 'matroska' ? imageError('media.error.video_mkv', shown) : notVideo();
      container = 'webm';
      sourceFormat = 'webm';
    } else throw notVideo();
    if (ext && !VIDEO_EXTENSIONS[container].includes(ext)) throw imageError('media.error.video_name', shown, { format: container === 'mp4' ? 'MP4' : 'WebM' });
    // Keep the size only when it is sane; ffmpeg's poster frame tells the real one later.
    if (!(width > 0 && height > 0 && width <= 16384 && height <= 16384)) [width, height] = [0, 0];
    return { path: file.path, size: file.size, container, sourceFormat, width, height, durationMs, sha256: await sha256Of(file.path), filename: name || null };
  } finally {
    await fh.close();
  }
}
