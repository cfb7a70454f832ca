import { z } from 'zod';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import type { Lang, Texts } from '../../db/types.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { conflict } from '../../http/errors.ts';
import { Texts as TextsSchema } from '../identity/organisations.ts';

export type Community = {
  id: string;
  slug: string;
  names: Texts;
  default_lang: Lang;
  time_zone: string;
  calendar: 'gregorian' | 'persian';
  weekend_days: number[];
  holidays: string[];
  hosts: string[];
  contacts: Record<string, string>;
  is_default: boolean;
  appeals_law: 'ua' | 'none';
  rating_wait_days: number;
};

const validTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const NewCommunity = z
  .object({
    slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,40}$/),
    names: TextsSchema,
    default_lang: z.enum(['uk', 'en', 'fa']),
    time_zone: z.string().refine(validTimeZone, { message: 'time zone' }),
    calendar: z.enum(['gregorian', 'persian']),
    weekend_days: z.array(z.number().int().min(0).max(6)).max(3).default([6, 0]),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).max(100).default([]),
    hosts: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+(:\d+)?$/)).max(10).default([]),
    contacts: z.record(z.string().max(40), z.string().max(300)).default({}),
    appeals_law: z.enum(['ua', 'none']).default('ua'),
  })
  .strict();
export type NewCommunity = z.input<typeof NewCommunity>;

const COLUMNS = sql`id, slug, names, default_lang, time_zone, calendar, weekend_days,
  array(select to_char(d, 'YYYY-MM-DD') from unnest(holidays) d) as holidays, hosts, contacts, is_default, appeals_law, rating_wait_days`;

export async function loadCommunities(db: Db | Tx): Promise<Community[]> {
  return (await sql<Community>`select ${COLUMNS} from communities order by is_default desc, slug`.execute(db)).rows;
}

/** Creates a community (super-admin, or the demo loader). */
export async function createCommunity(tx: Tx, actor: Actor, raw: NewCommunity, isDefault = false): Promise<Community> {
  const c = NewCommunity.parse(raw);
  const taken = await tx.selectFrom('communities').select('id').where('slug', '=', c.slug).executeTakeFirst();
  if (taken) throw conflict('error.slug_taken');
  const row = await tx
    .insertInto('communities')
    .values({
      slug: c.slug,
      names: JSON.stringify(c.names),
      default_lang: c.default_lang,
      time_zone: c.time_zone,
      calendar: c.calendar,
      weekend_days: c.weekend_days,
      holidays: c.holidays,
      hosts: c.hosts,
      contacts: JSON.stringify(c.contacts),
      appeals_law: c.appeals_law,
      is_default: isDefault,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(tx, { ...actor, communityId: row.id }, { action: 'community.create', objectType: 'community', objectId: row.id, before: null, after: c });
  await sql`notify citydesk_communities`.execute(tx);
  return (await sql<Community>`select ${COLUMNS} from communities where id = ${row.id}`.execute(tx)).rows[0];
}

/** The community registry, cached in each process for a few seconds: it changes rarely, and
 * a stale entry for a few seconds is harmless. Nothing else about requests is cached. */
export class CommunityRegistry {
  private list: Community[] = [];
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  constructor(private readonly db: Db, private readonly ttlMs = 5000) {}

  async all(): Promise<Community[]> {
    if (Date.now() - this.loadedAt > this.ttlMs) {
      if (!this.loading) {
        const p = loadCommunities(this.db)
          .then((list) => {
            this.list = list;
            this.loadedAt = Date.now();
          })
          .finally(() => (this.loading = null));
        p.catch(() => {}); // a background refresh that fails keeps the previous list
        this.loading = p;
      }
      if (this.list.length === 0 || Date.now() - this.loadedAt > this.ttlMs * 6) await this.loading;
    }
    return this.list;
  }

  invalidate() {
    this.loadedAt = 0;
  }

  async bySlug(slug: string) {
    return (await this.all()).find((c) => c.slug === slug) ?? null;
  }
  async byHost(host: string) {
    const h = host.toLowerCase();
    return (await this.all()).find((c) => c.hosts.includes(h)) ?? null;
  }
  async defaultCommunity() {
    const all = await this.all();
    return all.find((c) => c.is_default) ?? all[0] ?? null;
  }
}
