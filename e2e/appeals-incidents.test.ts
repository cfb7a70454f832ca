// Incidents, duplicate suggestions and the daily digest in Chromium (A9, A4, A7): a controller
// reads an incident and the digest in Ukrainian and in Persian; an operator typing a call sees
// similar open appeals appear (the small script on the registration form). axe on every page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { sql } from 'kysely';
import { startTestApp } from '../src/test/harness.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';
import { t, type Lang } from '../src/i18n/i18n.ts';
import { withCommunity } from '../src/db/db.ts';
import { systemActor } from '../src/modules/audit/service.ts';
import { fileAppeal } from '../src/modules/appeals/service.ts';
import { createIncident } from '../src/modules/appeals/incidents.ts';
import { dayInstant, previousDay } from '../src/modules/appeals/digest.ts';
import { localDate } from '../src/modules/appeals/deadlines.ts';
import type { Community } from '../src/modules/communities/service.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, clickAndLoad, htmlLangDir, launchBrowser, screenshot } from './browser.ts';

const DESKTOP = { viewport: { width: 1280, height: 900 } };

describe('incidents and the digest in the browser', { skip: browserSkipReason(), timeout: 200_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  const incidents: Record<string, string> = {};
  const numbers: Record<string, string[]> = {};

  async function seed(c: Community, code: string, title: string, calls: Array<[string, string]>) {
    await withCommunity(app.app.db, c.id, async (tx) => {
      const ctx = { tx, queue: app.app.queue, actor: systemActor(c.id), community: c, secret: 's', followUrl: () => 'x', rateUrl: () => 'x' };
      const cat = await tx.selectFrom('appeal_categories').select('id').where('code', '=', code).executeTakeFirstOrThrow();
      const ids: string[] = [];
      numbers[c.slug] = [];
      for (const [description, address] of calls) {
        const { appeal } = await fileAppeal(ctx, { category_id: cat.id, description, address }, { channel: 'phone', lang: c.default_lang });
        ids.push(appeal.id);
        numbers[c.slug].push(appeal.number);
      }
      // Yesterday's calls, the first one already past its target: the digest has something to show.
      const yesterday = previousDay(localDate(new Date(), c.time_zone));
      const noon = dayInstant(yesterday, c.time_zone);
      await tx.updateTable('appeals').set({ created_at: sql`${noon.toISOString()}::timestamptz` }).where('id', 'in', ids).execute();
      await tx.updateTable('appeals').set({ service_due_at: sql`now() - interval '2 hours'` }).where('id', '=', ids[0]).execute();
      const incident = await createIncident(ctx, { userId: 'x', roles: ['appeals_operator'], organisationId: null },
        { category_id: cat.id, title, location: calls[0][1], appeal_ids: ids.slice(0, -1) });
      incidents[c.slug] = incident.id;
    });
  }

  before(async () => {
    browser = await launchBrowser();
    app = await startTestApp({ CITYDESK_WORKER: 'false' });
    await seed((await app.app.communities.bySlug('zelenodolsk'))!, 'water-leak', 'Порив водогону на вул. Шевченка', [
      ['Б’є вода з-під асфальту біля будинку', 'вул. Шевченка, 12'],
      ['У підвалі вода, тече з труби на вулиці', 'вул. Шевченка, 14'],
      ['Калюжа на тротуарі росте, тече вода', 'вул. Шевченка, 10'],
    ]);
    await seed((await app.app.communities.bySlug('khomein'))!, 'water', 'ترکیدگی لوله در خیابان امام', [
      ['آب از زیر آسفالت بیرون می‌زند', 'خیابان امام، پلاک ۲۰'],
      ['لوله آب جلوی مغازه ترکیده است', 'خیابان امام، پلاک ۲۲'],
      ['آب در پیاده‌رو جمع شده است', 'خیابان امام، پلاک ۱۸'],
    ]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signedIn(base: string, email: string, lang: Lang, fn: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ ...DESKTOP, locale: lang === 'fa' ? 'fa-IR' : 'uk-UA', baseURL: app.origin });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(`${base}/console/login`);
      await page.getByLabel(t(lang, 'console.email')).fill(email);
      await page.getByLabel(t(lang, 'console.password')).fill(DEMO_PASSWORD);
      await clickAndLoad(page, page.getByRole('button', { name: t(lang, 'console.sign_in') }));
      await fn(page);
    } finally {
      await context.close();
    }
  }

  for (const [slug, base, lang, email] of [['zelenodolsk', '', 'uk', 'controller@zelenodolsk.example'], ['khomein', '/c/khomein', 'fa', 'controller@khomein.example']] as const) {
    it(`a controller reads an incident and the daily digest (${lang})`, async () => {
      await signedIn(base, email, lang, async (page) => {
        await clickAndLoad(page, page.getByRole('link', { name: t(lang, 'appeals.incident.nav') }));
        await checkA11y(page, `incidents (${lang})`);
        await clickAndLoad(page, page.locator(`a[href$="/appeals/incidents/${incidents[slug]}"]`));
        assert.deepEqual(await htmlLangDir(page), { lang, dir: lang === 'fa' ? 'rtl' : 'ltr' });
        const rows = page.locator('[data-testid=incident-appeals] tbody tr');
        assert.equal(await rows.count(), 2);
        // The third call, nearby and of the same category, is suggested for the incident.
        assert.match(await page.locator('[data-testid=incident-suggested]').innerText(), new RegExp(numbers[slug][2]));
        await checkA11y(page, `incident (${lang})`);
        await screenshot(page, `incident-${lang}.png`);
        await clickAndLoad(page, page.getByRole('link', { name: t(lang, 'appeals.digest.nav') }));
        assert.match(await page.locator('[data-testid=headline]').innerText(), /[3۳]/, 'yesterday\'s three calls');
        assert.match(await page.locator('[data-testid=overdue]').innerText(), new RegExp(numbers[slug][0]));
        await checkA11y(page, `digest (${lang})`);
        await screenshot(page, `digest-${lang}.png`);
        // On a phone neither page scrolls sideways (wide tables scroll inside their own box).
        await page.setViewportSize({ width: 390, height: 844 });
        await assertNoHorizontalScroll(page, `digest on a phone (${lang})`);
        await page.goto(`${base}/console/appeals/incidents/${incidents[slug]}`);
        await assertNoHorizontalScroll(page, `incident on a phone (${lang})`);
      });
    });
  }

  it('an operator typing a call sees similar open appeals appear', async () => {
    await signedIn('', 'operator@zelenodolsk.example', 'uk', async (page) => {
      await page.goto('/console/appeals');
      await page.getByLabel('Порив водопроводу, витік води').check();
      await page.getByLabel(t('uk', 'appeals.field.address'), { exact: false }).first().fill('Шевченка 16');
      // The list follows the typing: wait for the suggestions of the address, not of the category alone.
      await page.locator('#dup-live li', { hasText: numbers.zelenodolsk[0] }).waitFor();
      const text = await page.locator('#dup-live').innerText();
      assert.match(text, /Порив водогону на вул\. Шевченка/);
      assert.match(text, new RegExp(numbers.zelenodolsk[0]));
      await checkA11y(page, 'registration with live suggestions (uk)');
      // Submitted: the server asks before registering; the call goes into the incident.
      await page.getByLabel(t('uk', 'appeals.field.description')).fill('Вода заливає двір, тече з-під землі');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.console.register'), exact: true }));
      // The address register knows two such streets and asks; the operator keeps it as typed.
      const asTyped = page.locator('input[name=address_choice][value=as_typed]');
      if (await asTyped.count()) {
        await asTyped.check();
        await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.console.register'), exact: true }));
      }
      const dups = page.locator('[data-testid=duplicates]');
      // The incident, and the nearby appeal not in it; the incident's own appeals are not repeated.
      const offered = await dups.innerText();
      assert.match(offered, /Порив водогону на вул\. Шевченка/);
      assert.match(offered, new RegExp(numbers.zelenodolsk[2]));
      assert.doesNotMatch(offered, new RegExp(`${numbers.zelenodolsk[0]}\\b`));
      await checkA11y(page, 'duplicates before registering (uk)');
      await screenshot(page, 'duplicates-uk.png');
      await clickAndLoad(page, dups.getByRole('button', { name: t('uk', 'appeals.duplicates.attach_incident') }));
      assert.match(await page.locator('[data-testid=incident-panel]').innerText(), /Порив водогону на вул\. Шевченка/);
    });
  });
});
