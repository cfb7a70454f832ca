import type { MessageKey } from '../i18n/i18n.ts';

/** The one error type. `key` names the message in the catalogs; the handler renders
 * it in the caller's language as `{ error: { code, message, details } }`. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly key: MessageKey,
    readonly details?: unknown,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

export const notFound = (details?: unknown) => new AppError(404, 'not_found', 'error.not_found', details);
export const forbidden = (details?: unknown) => new AppError(403, 'forbidden', 'error.forbidden', details);
export const unauthenticated = () => new AppError(401, 'unauthenticated', 'error.unauthenticated');
export const invalid = (details?: unknown, key: MessageKey = 'error.invalid') => new AppError(400, 'invalid_input', key, details);
export const conflict = (key: MessageKey, details?: unknown) => new AppError(409, 'conflict', key, details);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, 'rate_limited', 'error.rate_limited', { retry_after: retryAfterSeconds }, { seconds: retryAfterSeconds });
