// Each channel's limits, and the text helpers that keep a publication within them.
// Sources: Telegram Bot API (sendMessage text 1-4096 characters after entity parsing,
// captions 0-1024, sendMediaGroup 2-10 items; about 20 messages a minute to one channel),
// Facebook Graph API (post message up to 63,206 characters), Instagram Graph API (caption
// up to 2,200 characters, at most 30 hashtags, an image or video is required, carousels up
// to 10 items, 100 API-published posts per 24 hours).
import type { MessageKey } from '../../i18n/i18n.ts';
import type { ChannelKind, Publication } from './types.ts';

export const LIMITS = {
  telegram: { text: 4096, caption: 1024, album: 10, perMinute: 20 },
  facebook: { text: 63_206, album: 10, perMinute: 30 },
  instagram: { caption: 2200, hashtags: 30, album: 10, perMinute: 4 },
  // Eitaa documents no limit; it mirrors Telegram's, so Telegram's are used.
  eitaa: { text: 4096, caption: 1024, perMinute: 20 },
  email_press: { perMinute: 60 },
  webpush: { title: 120, body: 240, perMinute: 600 },
  led: { headline: 120, perMinute: 600 },
  print: { perMinute: 600 },
} as const;

/** Retry policy: exponential backoff from `base` seconds, at most `maxAttempts` tries.
 * With the defaults a channel that is down is tried for about 50 minutes before failing. */
export const RETRY = { baseSeconds: 10, maxSeconds: 900, maxAttempts: 10 };

export function backoffSeconds(attempt: number, base = RETRY.baseSeconds, max = RETRY.maxSeconds): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The publication's text for a channel: the editor's own text when given, else lead and body. */
export function mainText(p: Publication, kind: ChannelKind): string {
  const own = p.perChannelText?.[kind]?.trim();
  if (own) return own;
  return [p.lead, p.bodyText].map((s) => s.trim()).filter(Boolean).join('\n\n');
}

/** Cuts plain text to `max` characters at a word boundary, with an ellipsis. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max - 1);
  const at = slice.lastIndexOf(' ');
  return `${(at > max * 0.6 ? slice.slice(0, at) : slice).trimEnd()}…`;
}

/** Splits plain text into chunks of at most `max` characters, at paragraph, then sentence
 * or word boundaries; never inside a word unless a word is longer than `max`. */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let at = window.lastIndexOf('\n\n');
    if (at < max * 0.5) at = Math.max(window.lastIndexOf('. '), window.lastIndexOf('\n'));
    if (at < max * 0.5) at = window.lastIndexOf(' ');
    if (at <= 0) at = max - 1;
    out.push(rest.slice(0, at + 1).trim());
    rest = rest.slice(at + 1).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/** Hashtags from tags: spaces and punctuation removed, as Instagram and Telegram link them. */
export const hashtag = (tag: string) => `#${tag.replace(/[^\p{L}\p{N}_]/gu, '')}`;

/** Keeps at most `max` hashtags in a caption (later ones lose their #). */
export function limitHashtags(text: string, max: number): { text: string; cut: boolean } {
  let n = 0;
  let cutAny = false;
  const out = text.replace(/#([\p{L}\p{N}_]+)/gu, (m, word: string) => {
    n++;
    if (n <= max) return m;
    cutAny = true;
    return word;
  });
  return { text: out, cut: cutAny };
}

export type Warning = MessageKey;
