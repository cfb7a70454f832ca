import type { Lang } from '../../db/types.ts';

/** What a valid API token stands for: its account, roles and scopes, as read from the database. */
export type TokenHolder = {
  tokenId: string;
  scopes: string[];
  expiresAt: Date | null;
  user: { id: string; display_name: string; email: string; lang: Lang; organisation_id: string | null; is_super_admin: boolean; totp_enabled_at: Date | null };
  roles: string[];
};

/** How long a token's account and roles are trusted without asking the database again. */
export const TOKEN_CACHE_MS = 5_000;

/**
 * API tokens recently found valid, per community and token hash, for a few seconds: an
 * integration that calls many times a second costs one look-up (token, account, roles) per
 * `ttlMs` instead of one per request. Only valid tokens are kept; an expiry date is checked
 * on every use. `forget()` empties it: a revocation, a disabled account or changed roles in
 * this process take effect at once; in another process within `ttlMs`.
 */
export class TokenCache {
  private readonly entries = new Map<string, { holder: TokenHolder; until: number }>();
  /** Bumped by forget(): a look-up that began before it must not put back what it read. */
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(communityId: string, tokenHash: string): TokenHolder | null {
    const key = `${communityId}:${tokenHash}`;
    const e = this.entries.get(key);
    if (!e) return null;
    const now = this.now();
    if (now >= e.until || (e.holder.expiresAt && e.holder.expiresAt.getTime() <= now)) {
      this.entries.delete(key);
      return null;
    }
    return e.holder;
  }

  /** The current generation, to pass to set() after the look-up. */
  get mark(): number {
    return this.generation;
  }

  set(communityId: string, tokenHash: string, holder: TokenHolder, mark: number): void {
    if (this.ttlMs <= 0 || mark !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(`${communityId}:${tokenHash}`, { holder, until: this.now() + this.ttlMs });
  }

  forget(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The process's cache, used by `authenticateToken` and emptied by the changes that matter. */
export const tokenCache = new TokenCache(TOKEN_CACHE_MS);
