// Shared by Facebook and Instagram: Graph API calls and its error objects.
import { ChannelError } from '../types.ts';
import type { AdapterCtx } from '../types.ts';
import { retryAfterHeader, type HttpResponse } from '../http.ts';

// Rate-limit codes: 4 app, 17 user, 32 page, 613 calls within a period, 80001/80002 business use case.
const RATE_CODES = new Set([4, 17, 32, 613, 80001, 80002]);

type GraphError = { error?: { message?: string; type?: string; code?: number; error_subcode?: number; is_transient?: boolean } };

/** Seconds the Graph API asks us to wait: Retry-After, else the business-use-case header's
 * estimated_time_to_regain_access (minutes), else a minute. */
function graphWait(r: HttpResponse): number {
  const h = retryAfterHeader(r.headers['retry-after']);
  if (h !== undefined) return h;
  try {
    const buc = JSON.parse(String(r.headers['x-business-use-case-usage'] ?? '{}')) as Record<string, { estimated_time_to_regain_access?: number }[]>;
    const minutes = Math.max(0, ...Object.values(buc).flat().map((u) => u.estimated_time_to_regain_access ?? 0));
    if (minutes > 0) return minutes * 60;
  } catch {
    /* not JSON: fall through */
  }
  return 60;
}

export function graphResult<T>(r: HttpResponse): T {
  if (r.status >= 200 && r.status < 300 && r.json && !(r.json as GraphError).error) return r.json as T;
  const e = (r.json as GraphError | null)?.error;
  const text = `${e?.code ?? r.status}: ${e?.message ?? (r.text.slice(0, 200) || 'no description')}`;
  if (r.status === 429 || (e?.code !== undefined && RATE_CODES.has(e.code))) throw new ChannelError('rate_limited', text, graphWait(r));
  if (r.status >= 500 || e?.is_transient || e?.code === 1 || e?.code === 2) throw new ChannelError('transient', text);
  throw new ChannelError('permanent', text);
}

export async function graph<T>(ctx: AdapterCtx, base: string, token: string, method: 'GET' | 'POST' | 'DELETE', path: string, params: Record<string, string>, visible: boolean): Promise<T> {
  const url = new URL(`${base}/${path}`);
  if (method !== 'POST') for (const [k, v] of Object.entries({ ...params, access_token: token })) url.searchParams.set(k, v);
  const r = await ctx.http({ method, url: url.toString(), form: method === 'POST' ? { ...params, access_token: token } : undefined, visible });
  return graphResult<T>(r);
}
