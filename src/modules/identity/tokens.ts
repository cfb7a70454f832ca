import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { withCommunity, type Db, type Tx } from '../../db/db.ts';
import { newSecret } from './sessions.ts';
import { tokenCache, type TokenHolder } from './token-cache.ts';
import { activeAccount } from './users.ts';

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const PREFIX = 'cdk_';
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** Creates a personal API token; the plain value is returned once and never stored. */
export async function createApiToken(tx: Tx, communityId: string, userId: string, name: string, scopes: TokenScope[], expiresAt: Date | null) {
  const plain = PREFIX + newSecret(30);
  const row = await tx
    .insertInto('api_tokens')
    .values({ community_id: communityId, user_id: userId, name, token_hash: sha256(plain), scopes, expires_at: expiresAt })
    .returning(['id', 'name', 'scopes', 'created_at', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { ...row, token: plain };
}

/** The token's owner and scopes, or null for an unknown, revoked or expired token. */
export async function findApiToken(tx: Tx, plain: string, hash = sha256(plain)) {
  if (!plain.startsWith(PREFIX)) return null;
  const row = await tx
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'scopes', 'last_used_at', 'expires_at'])
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
    .executeTakeFirst();
  if (!row) return null;
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await tx.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('id', '=', row.id).execute();
  }
  return row;
}

/**
 * The account, roles and scopes a Bearer token stands for in the community, or null for an
 * unknown, revoked or expired token or a disabled account. Served from `tokenCache` for a few
 * seconds (token-cache.ts): a revocation, a disabled account or new roles made in this
 * process count at once, made by another process within `TOKEN_CACHE_MS`.
 */
export async function authenticateToken(db: Db, communityId: string, plain: string): Promise<TokenHolder | null> {
  if (!plain.startsWith(PREFIX)) return null;
  const hash = sha256(plain);
  const cached = tokenCache.get(communityId, hash);
  if (cached) return cached;
  const mark = tokenCache.mark;
  const holder = await withCommunity(db, communityId, async (tx): Promise<TokenHolder | null> => {
    const token = await findApiToken(tx, plain, hash);
    const account = token && (await activeAccount(tx, token.user_id));
    return account ? { tokenId: token.id, scopes: token.scopes, expiresAt: token.expires_at, ...account } : null;
  });
  if (holder) tokenCache.set(communityId, hash, holder, mark);
  return holder;
}

export async function listApiTokens(tx: Tx, userId: string) {
  return tx
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function revokeApiToken(tx: Tx, userId: string, tokenId: string): Promise<boolean> {
  const r = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  tokenCache.forget();
  return Number(r.numUpdatedRows) === 1;
}
