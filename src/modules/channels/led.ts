// The LED-screen feed: the latest publications sent to the "led" channel, and a 1920x1080
// picture of the current one (headline and photo) rendered from SVG; librsvg shapes Persian.
import type { Tx } from '../../db/db.ts';
import { escapeHtml, LIMITS, cut } from './limits.ts';
import type { Publication } from './types.ts';

export type LedItem = { title: string; lead: string; url: string; image: string | null; urgent: boolean; lang: string; published_at: string };

export async function ledItems(tx: Tx, limit: number): Promise<LedItem[]> {
  const rows = await tx.selectFrom('channel_deliveries as d').select(['d.payload', 'd.sent_at'])
    .where('d.channel', '=', 'led').where('d.status', '=', 'sent').where('d.action', 'in', ['publish', 'update'])
    // Unpublished (a later delete was sent) leaves the screen.
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('channel_deliveries as x').select('x.id')
      .whereRef('x.source_id', '=', 'd.source_id').whereRef('x.lang', '=', 'd.lang').where('x.channel', '=', 'led').where('x.action', '=', 'delete').where('x.status', '=', 'sent'))))
    .orderBy('d.sent_at', 'desc').limit(limit * 3).execute();
  const seen = new Set<string>();
  const out: LedItem[] = [];
  for (const r of rows) {
    const p = r.payload as Publication;
    const key = `${p.sourceType}:${p.sourceId}:${p.lang}`;
    if (seen.has(key)) continue; // only the newest version of each
    seen.add(key);
    out.push({ title: cut(p.title, LIMITS.led.headline), lead: p.lead, url: p.url, image: p.images[0]?.url ?? null, urgent: p.urgent, lang: p.lang, published_at: (r.sent_at ?? new Date()).toISOString() });
    if (out.length >= limit) break;
  }
  return out;
}

/** Words into lines of at most `width` characters. */
function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && (line + ' ' + w).length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.length > maxLines ? [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]}…`] : lines;
}

async function photoData(url: string | null): Promise<string | null> {
  if (!url) return null;
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const type = r.headers.get('content-type') ?? '';
    if (!r.ok || !/^image\/(jpeg|png|webp)/.test(type)) return null;
    return `data:${type};base64,${Buffer.from(await r.arrayBuffer()).toString('base64')}`;
  } catch {
    return null; // the screen still shows the headline
  }
}

export async function ledSvg(item: LedItem | null, community: string): Promise<string> {
  const rtl = item?.lang === 'fa';
  const photo = await photoData(item?.image ?? null);
  const textW = photo ? 1000 : 1760;
  const photoX = rtl ? 80 : 1920 - 80 - 720;
  const lines = item ? wrap(item.title, Math.floor(textW / 42), 5) : [];
  const anchor = rtl ? 'end' : 'start';
  const textX = rtl ? 1840 : 80;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1080" viewBox="0 0 1920 1080">
<rect width="1920" height="1080" fill="${item?.urgent ? '#8a0f12' : '#0d2a4a'}"/>
${photo ? `<image href="${photo}" x="${photoX}" y="180" width="720" height="720" preserveAspectRatio="xMidYMid slice"/>` : ''}
${item ? '' : '<!-- idle: the community name only -->'}<text x="${textX}" y="120" font-family="DejaVu Sans, Vazirmatn, sans-serif" font-size="44" fill="#f2b705" text-anchor="${anchor}" direction="${rtl ? 'rtl' : 'ltr'}">${escapeHtml(community)}</text>
${lines.map((l, i) => `<text x="${textX}" y="${300 + i * 110}" font-family="DejaVu Sans, Vazirmatn, sans-serif" font-weight="bold" font-size="84" fill="#ffffff" text-anchor="${anchor}" direction="${rtl ? 'rtl' : 'ltr'}">${escapeHtml(l)}</text>`).join('\n')}
</svg>`;
}
