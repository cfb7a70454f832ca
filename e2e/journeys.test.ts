// Browser journeys through the portal and the console in Debian's Chromium, with an axe
// (WCAG 2.1 A/AA) check of every page visited, in every language visited.
// Screenshots for docs/screenshots/ are written only with CITYDESK_SCREENSHOTS=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';
import { DEMO_COMMUNITIES } from '../src/demo/data.ts';
import { withCommunity } from '../src/db/db.ts';
import { t, type Lang } from '../src/i18n/i18n.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, clickAndLoad, htmlLangDir, launchBrowser, readTotpSecret, screenshot, totp } from './browser.ts';

const MOBILE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PERSIAN_DIGIT = /[۰-۹]/;

const demoEmails = (slug: string) => DEMO_COMMUNITIES.find((c) => c.slug === slug)!.users.map((u) => u.email).sort();
const pathOf = (page: Page) => new URL(page.url()).pathname.replace(/(.)\/$/, '$1');

describe('browser journeys', { skip: browserSkipReason(), timeout: 280_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let zOperatorId: string; // operator@zelenodolsk.example
  let kOperatorId: string; // operator@khomein.example

  before(async () => {
    browser = await launchBrowser(); // first: a missing browser fails (or is skipped) before any database work
    app = await startTestApp();
    const communities = await app.app.db.selectFrom('communities').select(['id', 'slug']).execute();
    const idOf = async (slug: string, email: string) =>
      withCommunity(app.app.db, communities.find((c) => c.slug === slug)!.id, (tx) =>
        tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow(),
      );
    zOperatorId = (await idOf('zelenodolsk', 'operator@zelenodolsk.example')).id;
    kOperatorId = (await idOf('khomein', 'operator@khomein.example')).id;
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A fresh browser context (own cookies) for one journey; closed whatever happens. */
  async function withPage(opts: typeof MOBILE | typeof DESKTOP, locale: string, fn: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ ...opts, locale, baseURL: app.origin });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(20_000);
    try {
      await fn(await context.newPage());
    } finally {
      await context.close();
    }
  }

  /** Opens a page, checks its status and runs axe on it. */
  async function visit(page: Page, path: string, label: string, status = 200) {
    const res = await page.goto(path, { waitUntil: 'load' });
    assert.ok(res, `no response for ${path}`);
    assert.equal(res.status(), status, `${path} answers ${status}`);
    await check(page, label);
    return res;
  }

  /** Every page visited: axe (WCAG 2.1 A/AA); on a phone-sized page also no sideways scrolling
   * (reflow; the console's wide data tables on the desktop are exempt from it). */
  async function check(page: Page, label: string) {
    await checkA11y(page, label);
    if ((page.viewportSize()?.width ?? 0) <= MOBILE.viewport.width) await assertNoHorizontalScroll(page, label);
  }

  async function assertLang(page: Page, lang: Lang) {
    assert.deepEqual(await htmlLangDir(page), { lang, dir: lang === 'fa' ? 'rtl' : 'ltr' });
  }

  async function assertHreflang(page: Page, base: string) {
    const links = await page
      .locator('head link[rel=alternate][hreflang]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('hreflang'), e.getAttribute('href')]));
    // Absolute URLs, as search engines expect.
    assert.deepEqual(links, [['uk', `${app.origin}${base}/uk/`], ['en', `${app.origin}${base}/en/`], ['fa', `${app.origin}${base}/fa/`]]);
  }

  async function h1(page: Page) {
    return (await page.getByRole('heading', { level: 1 }).textContent())?.trim();
  }

  /** The portal's "Today is …" line. */
  async function dateLine(page: Page, lang: Lang) {
    const start = t(lang, 'portal.home.today').split('{date}')[0].trim();
    return (await page.locator('main p', { hasText: start }).textContent()) ?? '';
  }

  /** Password step, then TOTP enrolment; returns the secret. The page is left on the recovery codes. */
  async function signInAndEnrol(page: Page, base: string, email: string, lang: Lang): Promise<string> {
    await visit(page, `${base}/console/login`, `console sign-in (${lang})`);
    await assertLang(page, lang);
    await page.getByLabel(t(lang, 'console.email')).fill(email);
    await page.getByLabel(t(lang, 'console.password')).fill(DEMO_PASSWORD);
    await clickAndLoad(page, page.getByRole('button', { name: t(lang, 'console.sign_in') }));
    assert.equal(pathOf(page), `${base}/console/enrol`, 'an administrator must enrol a second factor first');
    await check(page, `TOTP enrolment (${lang})`);
    const secret = await readTotpSecret(page);
    await page.getByLabel(t(lang, 'console.second_factor.code'), { exact: true }).fill(totp(secret));
    await clickAndLoad(page, page.getByRole('button', { name: t(lang, 'console.second_factor.confirm') }));
    assert.equal(await page.getByRole('status').textContent(), t(lang, 'console.enrol.done'));
    assert.equal(await page.locator('[data-testid=recovery-codes] li').count(), 10);
    await check(page, `recovery codes (${lang})`);
    return secret;
  }

  it('portal home in Ukrainian, English and Persian; the language switcher; Khomein in Persian', { timeout: 120_000 }, async () => {
    await withPage(MOBILE, 'uk-UA', async (page) => {
      await visit(page, '/en/', 'portal home (en)');
      await assertLang(page, 'en');
      await assertHreflang(page, '');
      assert.equal(await h1(page), t('en', 'portal.home.title'));

      await visit(page, '/uk/', 'portal home (uk)');
      await assertLang(page, 'uk');
      await assertHreflang(page, '');
      assert.equal(await h1(page), t('uk', 'portal.home.title'));
      assert.match(await dateLine(page, 'uk'), /\d{4}/);
      await screenshot(page, 'portal-uk.png');

      // The switcher, from the Ukrainian page.
      const switcher = page.getByRole('navigation', { name: t('uk', 'nav.language') });
      assert.equal(await switcher.getByRole('link', { name: 'Українська', exact: true }).getAttribute('aria-current'), 'true');
      await clickAndLoad(page, switcher.getByRole('link', { name: 'فارسی', exact: true }));
      assert.equal(pathOf(page), '/fa');
      await assertLang(page, 'fa');
      await check(page, 'portal home (fa)');
      await assertHreflang(page, '');
      assert.equal(await h1(page), t('fa', 'portal.home.title'));
      const faDate = await dateLine(page, 'fa');
      assert.match(faDate, PERSIAN_DIGIT, `Persian digits in "${faDate}"`);
      assert.doesNotMatch(faDate, /[0-9]/, `no Latin digits in "${faDate}"`);
      const faSwitcher = page.getByRole('navigation', { name: t('fa', 'nav.language') });
      assert.equal(await faSwitcher.getByRole('link', { name: 'فارسی', exact: true }).getAttribute('aria-current'), 'true');
      await screenshot(page, 'portal-fa.png');

      await visit(page, '/c/khomein/fa/', 'Khomein portal home (fa)');
      await assertLang(page, 'fa');
      await assertHreflang(page, '/c/khomein');
      assert.equal((await page.locator('header .brand').textContent())?.trim(), 'خمین');
      assert.match(await dateLine(page, 'fa'), PERSIAN_DIGIT);
    });
  });

  it('a resident signs in with a one-time code, in Ukrainian', { timeout: 120_000 }, async () => {
    await withPage(MOBILE, 'uk-UA', async (page) => {
      await visit(page, '/uk/login', 'resident sign-in (uk)');
      await assertLang(page, 'uk');
      const contact = page.getByLabel(t('uk', 'resident.contact'));

      // A contact that is neither an e-mail nor a phone number: error shown, value kept.
      await contact.fill('abc');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'resident.send_code') }));
      assert.equal(pathOf(page), '/uk/login');
      assert.equal((await page.getByRole('alert').textContent())?.trim(), t('uk', 'error.field.contact'));
      assert.equal(await contact.inputValue(), 'abc');
      assert.equal(await contact.getAttribute('aria-invalid'), 'true');
      await check(page, 'resident sign-in with an error (uk)');

      const email = `olena.${Date.now()}@example.com`;
      await contact.fill(email);
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'resident.send_code') }));
      assert.match((await page.getByRole('status').textContent()) ?? '', new RegExp(email.replace(/\./g, '\\.')));
      await check(page, 'code sent (uk)');

      // Only the code's hash is stored; the message in the outbox carries it.
      const { rows } = await sql<{ body: string }>`select body from outbox_messages where recipient = ${email} order by created_at desc limit 1`.execute(app.app.db);
      const code = /\b(\d{6})\b/.exec(rows[0]?.body ?? '')?.[1];
      assert.ok(code, `a six-digit code in the outbox message: ${rows[0]?.body}`);
      await page.getByLabel(t('uk', 'resident.code')).fill(code);
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'resident.verify') }));
      assert.equal(pathOf(page), '/uk/account');
      assert.equal(await h1(page), t('uk', 'resident.account.title'));
      assert.ok((await page.locator('main').textContent())?.includes(email), 'the account page shows the e-mail');
      await check(page, 'resident account (uk)');
    });
  });

  it('an administrator enrols TOTP, works in the console, signs in again with a code, and switches to Persian', { timeout: 150_000 }, async () => {
    await withPage(DESKTOP, 'uk-UA', async (page) => {
      const secret = await signInAndEnrol(page, '', 'admin@zelenodolsk.example', 'uk');

      await visit(page, '/console/users', 'users (uk)');
      assert.equal(await h1(page), t('uk', 'users.title'));
      const emails = (await page.locator('table tbody tr td:nth-child(2)').allTextContents()).map((e) => e.trim()).sort();
      assert.deepEqual(emails, demoEmails('zelenodolsk'));
      await screenshot(page, 'console-users.png');

      // The user page opens here, in its own community (the Khomein test expects 404 for the same id).
      await visit(page, `/console/users/${zOperatorId}`, 'user page (uk)');
      assert.ok((await page.locator('main').textContent())?.includes('operator@zelenodolsk.example'));

      for (const [path, title] of [['/console/audit', t('uk', 'audit.title')], ['/console/outbox', t('uk', 'outbox.title')], ['/console/security', t('uk', 'console.nav.security')]]) {
        await visit(page, path, `${path} (uk)`);
        assert.equal(await h1(page), title);
      }

      // Sign out from the sidebar, then in again: now the second-factor step.
      await clickAndLoad(page, page.getByRole('complementary').getByRole('button', { name: t('uk', 'nav.sign_out') }));
      assert.equal(pathOf(page), '/console/login');
      await check(page, 'console sign-in after sign-out (uk)');
      await visit(page, '/console/users', 'console sign-in, redirected (uk)');
      assert.equal(pathOf(page), '/console/login', 'signed out: the console sends to sign-in');
      await page.getByLabel(t('uk', 'console.email')).fill('admin@zelenodolsk.example');
      await page.getByLabel(t('uk', 'console.password')).fill(DEMO_PASSWORD);
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.sign_in') }));
      assert.equal(pathOf(page), '/console/login/second-factor');
      await check(page, 'second factor (uk)');
      await page.getByLabel(t('uk', 'console.second_factor.code'), { exact: true }).fill(totp(secret));
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.second_factor.confirm') }));
      assert.equal(pathOf(page), '/console');
      assert.equal(await page.locator('[data-testid=my-roles] li').count() > 0, true);
      await check(page, 'console home (uk)');

      // Persian, through the language links.
      await clickAndLoad(page, page.getByRole('complementary').getByRole('link', { name: t('uk', 'console.nav.users') }));
      assert.equal(pathOf(page), '/console/users');
      await clickAndLoad(page, page.getByRole('main').getByRole('link', { name: 'فارسی', exact: true }));
      assert.equal(new URL(page.url()).search, '?lang=fa');
      await assertLang(page, 'fa');
      assert.equal(await h1(page), t('fa', 'users.title'));
      await check(page, 'users (fa)');
      await screenshot(page, 'console-fa.png');
    });
  });

  it('a Khomein administrator sees only Khomein and cannot open a Zelenodolsk user', { timeout: 120_000 }, async () => {
    await withPage(DESKTOP, 'fa-IR', async (page) => {
      await signInAndEnrol(page, '/c/khomein', 'admin@khomein.example', 'fa');

      await visit(page, '/c/khomein/console/users', 'Khomein users (fa)');
      await assertLang(page, 'fa');
      const emails = (await page.locator('table tbody tr td:nth-child(2)').allTextContents()).map((e) => e.trim()).sort();
      assert.deepEqual(emails, demoEmails('khomein'));
      assert.ok(emails.every((e) => e.endsWith('@khomein.example')));
      assert.ok(!(await page.content()).includes('@zelenodolsk.example'), 'no Zelenodolsk address anywhere on the page');

      await visit(page, `/c/khomein/console/users/${kOperatorId}`, 'Khomein user page (fa)');
      await visit(page, `/c/khomein/console/users/${zOperatorId}`, 'not found (fa)', 404);
      const text = (await page.locator('body').textContent()) ?? '';
      assert.ok(!text.includes('operator@zelenodolsk.example') && !text.includes('Оксана Савчук'), 'nothing of the other community leaks');
    });
  });
});
