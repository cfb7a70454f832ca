import { readFileSync } from 'node:fs';
import argon2 from 'argon2';
import type { MessageKey } from '../../i18n/i18n.ts';

const common = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#')),
);

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => argon2.hash(password, OPTIONS);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** NIST 800-63B: length, and not a known breached or common password; no composition rules, no rotation. */
export function passwordProblem(password: string, context: string[] = []): MessageKey | null {
  if (password.length < 10) return 'password.too_short';
  if (password.length > 128) return 'password.too_long';
  const lower = password.toLowerCase();
  if (common.has(lower) || common.has(lower.replace(/\d+$/, ''))) return 'password.common';
  if (context.some((c) => c.length >= 4 && lower.includes(c.toLowerCase()))) return 'password.personal';
  if (new Set(lower).size < 4) return 'password.common';
  return null;
}

/** A hash to verify against when the account does not exist, so timing does not reveal it. */
export const DUMMY_HASH = await hashPassword('citydesk-timing-equaliser');
