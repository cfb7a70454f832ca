import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { withCommunity, withSystem } from '../db/db.ts';
import { systemActor } from '../modules/audit/service.ts';
import { createCommunity } from '../modules/communities/service.ts';
import { createOrganisation } from '../modules/identity/organisations.ts';
import { createUser } from '../modules/identity/users.ts';
import { createApiToken } from '../modules/identity/tokens.ts';
import { DEMO_COMMUNITIES } from './data.ts';
import { DEMO_CATEGORIES } from './appeal-categories.ts';
import { createCategory } from '../modules/appeals/categories.ts';
import { loadDemoAppeals, type DemoWords } from './appeals-year.ts';
import { loadDemoNewsroom } from './newsroom-setup.ts';
import { loadDemoNews } from './news.ts';
import { loadDemoStreets } from './streets.ts';
import { loadDemoOutages } from './outages.ts';

/** How many demo appeals each community gets (a year's worth), and in which words. */
const DEMO_APPEALS: Record<string, { count: number; words: DemoWords }> = {
  zelenodolsk: { count: 35_000, words: { description: 'Демонстраційне звернення №', street: 'вул. Демонстраційна,', resident: 'Мешканець', phonePrefix: '+38050' } },
  khomein: { count: 3_000, words: { description: 'درخواست نمونه شماره', street: 'خیابان نمونه، پلاک', resident: 'شهروند', phonePrefix: '+98912' } },
};

/** The one password of every demo account. Shown only while the deployment is in demo mode. */
export const DEMO_PASSWORD = 'demo-city-desk-2026';

/** Loads the demo communities into an empty database (never again on later starts).
 * CITYDESK_DEMO=auto loads it only into an empty database, true the same, false never. */
export async function loadDemo(db: Db, config: Config, log: Logger): Promise<boolean> {
  if (config.demo === 'false') return false;
  return withSystem(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(727275)`.execute(tx);
    const any = await tx.selectFrom('communities').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    for (const [i, c] of DEMO_COMMUNITIES.entries()) {
      const { orgs, users, ...community } = c;
      const created = await createCommunity(tx, systemActor(null, 'demo'), community, i === 0);
      const actor = systemActor(created.id, 'demo');
      await sql`select set_config('app.community_id', ${created.id}, true)`.execute(tx);
      const orgIds = new Map<string, string>();
      for (const o of orgs) {
        const row = await createOrganisation(tx, actor, created.id, { kind: o.kind, names: o.names, phone: o.phone ?? null, email: o.email ?? null });
        orgIds.set(o.key, row.id);
      }
      for (const cat of DEMO_CATEGORIES[c.slug] ?? []) {
        await createCategory(tx, actor, created.id, {
          code: cat.code, icon: cat.icon, names: cat.names, keywords: cat.keywords ?? {}, executor_org_id: orgIds.get(cat.org)!,
          service_hours: cat.hours, service_mode: cat.mode ?? 'working', legal_days: cat.legal ?? 15, is_public: cat.isPublic ?? false, outage_kind: cat.outage ?? null,
        });
      }
      await loadDemoStreets(tx, created.id, c.slug);
      await loadDemoOutages(tx, created.id, c.slug, c.default_lang === 'fa' ? 'fa' : 'uk', orgIds, c.names);
      await loadDemoNewsroom(tx, created.id, c.slug, c.default_lang === 'fa' ? 'fa' : 'uk');
      if (config.demoNews) await loadDemoNews(tx, config, created.id, c.slug);
      if (config.demoAppeals) await loadDemoAppeals(tx, created.id, DEMO_APPEALS[c.slug]?.count ?? 0, DEMO_APPEALS[c.slug]?.words ?? DEMO_APPEALS.zelenodolsk.words);
      for (const u of users) {
        const user = await createUser(tx, actor, created.id, {
          email: u.email, display_name: u.display_name, password: DEMO_PASSWORD, lang: u.lang,
          organisation_id: u.org ? orgIds.get(u.org) ?? null : null, roles: u.roles as never,
        });
        if (u.roles.includes('appeals_operator')) {
          // Demo only: a key for trying Open311 POST, kept to be printed at every start.
          const key = await createApiToken(tx, created.id, user.id, 'Open311 demo key', ['read', 'write'], null);
          await tx.insertInto('app_settings').values({ key: `demo_open311_key:${c.slug}`, value: key.token }).execute();
        }
        if (i === 0 && u.roles.includes('community_admin')) {
          await tx.updateTable('users').set({ is_super_admin: true }).where('id', '=', user.id).execute();
        }
      }
    }
    await tx.insertInto('app_settings').values({ key: 'demo', value: 'true' }).onConflict((oc) => oc.column('key').doNothing()).execute();
    log.info('demo communities loaded');
    return true;
  });
}

export async function isDemo(db: Db): Promise<boolean> {
  const r = await db.selectFrom('app_settings').select('value').where('key', '=', 'demo').executeTakeFirst();
  return r?.value === 'true';
}

/** What `npm start` prints in demo mode: where to go and how to sign in. */
export async function demoBanner(db: Db, origin: string, justLoaded: boolean): Promise<string> {
  const communities = await db.selectFrom('communities').select(['id', 'slug', 'is_default']).orderBy('is_default', 'desc').execute();
  const lines = [`CityDesk is ready (demo mode${justLoaded ? ', demo data loaded' : ''}).`, ''];
  for (const c of communities) {
    const base = c.is_default ? origin : `${origin}/c/${c.slug}`;
    const users = await withCommunity(db, c.id, (tx) => tx.selectFrom('users').select('email').orderBy('email').execute());
    lines.push(`Community "${c.slug}"`, `  Portal:  ${base}/`, `  Console: ${base}/console`);
    lines.push(`  Logins (password "${DEMO_PASSWORD}"): ${users.map((u) => u.email).join(', ')}`);
    const key = await db.selectFrom('app_settings').select('value').where('key', '=', `demo_open311_key:${c.slug}`).executeTakeFirst();
    if (key) lines.push(`  Open311: ${base}/open311/v2/services.json — api_key for POST: ${key.value}`);
    lines.push('');
  }
  lines.push(`API: ${origin}/api/docs`, 'Administrators and duty officers set up a second factor (TOTP) at first sign-in.', '');
  return lines.join('\n');
}
