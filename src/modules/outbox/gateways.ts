// Gateways carry an outbox message out of the building: SMTP e-mail, an SMS HTTP gateway,
// the city's Telegram bot (web push: webpush.ts). Each says clearly whether a failure is worth retrying.
import type { Mailer } from './mailer.ts';
import type { OutboxChannel } from './service.ts';

/** One message as a gateway sees it; `urgent` for the alerts' priority lane. */
export type Outgoing = { id: string; communityId: string; recipient: string; subject: string | null; body: string; urgent: boolean };
export type Gateway = { send: (msg: Outgoing) => Promise<string> };
export type Gateways = Partial<Record<OutboxChannel, Gateway>>;

/** A failed send. `retryAfter` (seconds) comes from the provider's rate limit; `permanent`
 * failures (a blocked bot, an invalid number) are not retried. */
export class GatewayError extends Error {
  constructor(message: string, readonly opts: { retryAfter?: number; permanent?: boolean } = {}) {
    super(message);
  }
}

const TIMEOUT_MS = 15_000;

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> | null; retryAfter: number | undefined }> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new GatewayError(`gateway unreachable: ${(e as Error).message}`);
  }
  const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  const header = Number(res.headers.get('retry-after'));
  return { status: res.status, json, retryAfter: Number.isFinite(header) && header > 0 ? header : undefined };
}

export const emailGateway = (mailer: Mailer): Gateway => ({
  send: (m) => mailer.send({ to: m.recipient, subject: m.subject ?? '', text: m.body, messageId: `<${m.id}@citydesk>` }),
});

/**
 * SMS through an HTTP gateway speaking TurboSMS's JSON API (Ukraine's common gateway):
 * POST {base}/message/send.json, Bearer token, `{recipients, sms: {sender, text}}`; the answer
 * has `response_code` and one `response_result` per recipient with its `message_id`.
 */
export function smsGateway(opts: { url: string; token: string; sender: string }): Gateway {
  const base = opts.url.replace(/\/$/, '');
  return {
    send: async (m) => {
      const r = await postJson(`${base}/message/send.json`, { recipients: [m.recipient.replace(/^\+/, '')], sms: { sender: opts.sender, text: m.body } }, { authorization: `Bearer ${opts.token}` });
      if (r.status === 429) throw new GatewayError('SMS gateway rate limit', { retryAfter: r.retryAfter ?? 30 });
      if (r.status >= 500 || !r.json) throw new GatewayError(`SMS gateway answered HTTP ${r.status}`);
      const result = (r.json.response_result as Array<{ response_code?: number; message_id?: string; response_status?: string }> | null)?.[0];
      const code = Number(result?.response_code ?? r.json.response_code);
      // 800–899: accepted or sent; 0: success. Anything else is the gateway refusing this message.
      if ((code === 0 || (code >= 800 && code < 900)) && result?.message_id) return String(result.message_id);
      // A refusal of this recipient (HTTP 200 with an error code) will not change on retry.
      const permanent = r.status === 200 ? !!result : r.status >= 400 && r.status < 500 && r.status !== 408;
      throw new GatewayError(`SMS gateway refused: ${String(result?.response_status ?? r.json.response_status ?? code)}`, { permanent });
    },
  };
}

/** The city's Telegram bot (Bot API `sendMessage`); the recipient is a chat id. */
export function telegramGateway(opts: { apiUrl: string; token: string }): Gateway {
  const base = `${opts.apiUrl.replace(/\/$/, '')}/bot${opts.token}`;
  return {
    send: async (m) => {
      const r = await postJson(`${base}/sendMessage`, { chat_id: m.recipient, text: m.body, link_preview_options: { is_disabled: true } });
      const j = r.json as { ok?: boolean; result?: { message_id?: number }; error_code?: number; description?: string; parameters?: { retry_after?: number } } | null;
      if (j?.ok && j.result?.message_id !== undefined) return String(j.result.message_id);
      const code = j?.error_code ?? r.status;
      if (code === 429) throw new GatewayError(`Telegram: ${j?.description ?? 'too many requests'}`, { retryAfter: j?.parameters?.retry_after ?? r.retryAfter ?? 30 });
      // 400 chat not found, 403 bot blocked by the user: sending again will not help.
      throw new GatewayError(`Telegram: ${j?.description ?? `HTTP ${r.status}`}`, { permanent: code === 400 || code === 403 });
    },
  };
}

/** Telegram Bot API call used for the bot's own set-up (setWebhook, getMe). */
export async function telegramCall(opts: { apiUrl: string; token: string }, method: string, body: unknown): Promise<Record<string, unknown> | null> {
  const r = await postJson(`${opts.apiUrl.replace(/\/$/, '')}/bot${opts.token}/${method}`, body);
  return r.json;
}
