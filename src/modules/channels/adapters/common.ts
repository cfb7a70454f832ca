import { z } from 'zod';
import { ChannelError } from '../types.ts';
import type { HttpResponse } from '../http.ts';

export const baseUrl = (dflt: string) => z.string().trim().url().default(dflt).transform((s) => s.replace(/\/+$/, ''));
export const required = z.string().trim().min(1).max(500);

/** Telegram-style answers (Telegram, Eitaa): `{ ok, result }` or `{ ok:false, error_code, description, parameters }`. */
export function botResult<T>(r: HttpResponse): T {
  const j = r.json as { ok?: boolean; result?: T; error_code?: number; description?: string; parameters?: { retry_after?: number } } | null;
  if (j?.ok === true) return j.result as T;
  const code = j?.error_code ?? r.status;
  const text = `${code}: ${j?.description ?? (r.text.slice(0, 200) || 'no description')}`;
  if (code === 429) throw new ChannelError('rate_limited', text, j?.parameters?.retry_after ?? 30);
  if (code >= 500 || r.status >= 500 || r.status === 0) throw new ChannelError('transient', text);
  throw new ChannelError('permanent', text);
}
