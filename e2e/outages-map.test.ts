// The outages map in Chromium: each notice's area drawn after the lists (emergency and planned
// told apart, a popup links to the notice), in Ukrainian and Persian (right to left); a
// dispatcher draws a polygon by clicking the map; and when the tile server is unreachable the
// map hides itself, says so, and the lists remain. Tiles come from a local fake tile server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { Client } from '../src/test/client.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';
import { t } from '../src/i18n/i18n.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, clickAndLoad, DESKTOP, htmlLangDir, inContext, launchBrowser, PHONE, readTotpSecret, screenshot, totp } from './browser.ts';

describe('the outages map in the browser', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let tiles: Server;
  const ids: Record<string, string> = {};

  before(async () => {
    const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#e8ecef' } }).png().toBuffer();
    tiles = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(tile));
    await new Promise<void>((ok) => tiles.listen(0, '127.0.0.1', ok));
    const port = (tiles.address() as AddressInfo).port;
    browser = await launchBrowser();
    app = await startTestApp({ CITYDESK_MAP_TILES: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`, CITYDESK_MAP_ATTRIBUTION: 'Test tiles' });
    await sql`update outages set status = 'closed', actual_end_at = now()`.execute(app.app.db);
    const dispatcher = new Client(app.origin);
    await dispatcher.staffLogin('', 'dispatcher@zelenodolsk.example', DEMO_PASSWORD);
    const post = async (name: string, form: Record<string, string>) => {
      const r = await dispatcher.post('/console/outages/new', { kind: 'heating', emergency: 'true', reason: 'Ремонт тепломережі', starts: '2026-11-22T08:00', ends: '2030-11-22T20:00', ...form }, '/console/outages/new');
      assert.equal(r.status, 303, r.text.slice(0, 400));
      ids[name] = /outages\/([0-9a-f-]{36})$/.exec(r.location!)![1];
    };
    await post('house', { area: 'вул. Івана Франка, 4' });
    const [lat, lon] = await sql<{ lat: number; lon: number }>`select b.lat, b.lon from outage_areas a join buildings b on b.id = a.building_id where a.outage_id = ${ids.house}`.execute(app.app.db).then((r) => [Number(r.rows[0].lat), Number(r.rows[0].lon)]);
    const ring = [[lat - 0.002, lon - 0.003], [lat + 0.002, lon - 0.003], [lat + 0.002, lon + 0.003], [lat - 0.002, lon + 0.003], [lat - 0.002, lon - 0.003]].map((p) => p.map((x) => x.toFixed(5)).join(',')).join(' ');
    await post('planned', { emergency: 'false', kind: 'electricity', starts: '2030-01-10T08:00', ends: '2030-01-10T18:00', area: '', polygons: ring });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    tiles?.close();
  });

  const withPage = (opts: typeof PHONE | typeof DESKTOP, locale: string, fn: (page: Page) => Promise<void>) => inContext(browser, { ...opts, locale, baseURL: app.origin }, fn);

  it('draws each notice’s area after the lists; a popup opens the notice (uk, desktop)', async () => {
    await withPage(DESKTOP, 'uk-UA', async (page) => {
      await page.goto('/uk/outages');
      await page.locator('#outages-map.on .leaflet-tile-loaded').first().waitFor();
      assert.equal(await page.locator('#outages-map .leaflet-interactive').count(), 2, 'a point and a polygon');
      assert.equal(await page.locator('#outages-map path[stroke="#b3261e"]').count(), 1, 'the emergency in red');
      assert.equal(await page.locator('#outages-map path[stroke="#0b57d0"][stroke-dasharray]').count(), 1, 'the planned one dashed blue');
      // The lists come first in the document: keyboard and screen-reader users reach them before the map.
      const order = await page.evaluate(() => {
        const lists = document.querySelectorAll('main ul.plain');
        const map = document.getElementById('outages-map');
        return lists.length === 2 && map ? lists[1].compareDocumentPosition(map) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
      });
      assert.ok(order, 'the map follows the lists');
      await page.locator('#outages-map path[stroke="#b3261e"]').click();
      const link = page.locator('#outages-map .leaflet-popup-content a');
      assert.equal(await link.getAttribute('href'), `/uk/outages/${ids.house}`);
      await checkA11y(page, 'outages map (uk)');
      await screenshot(page, 'outages-map-uk.png');
      await clickAndLoad(page, link);
      await assert.doesNotReject(page.getByText('Ремонт тепломережі').first().waitFor());
    });
  });

  it('Persian on a phone: right to left, the map drawn, nothing scrolls sideways', async () => {
    await withPage(PHONE, 'fa-IR', async (page) => {
      await page.goto('/fa/outages');
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      await page.locator('#outages-map.on .leaflet-interactive').first().waitFor();
      assert.equal(await page.locator('#outages-map').getAttribute('dir'), 'ltr');
      await assert.doesNotReject(page.getByText(t('fa', 'outages.map.hint')).waitFor());
      await checkA11y(page, 'outages map (fa)');
      await assertNoHorizontalScroll(page, 'outages map (fa)');
      await screenshot(page, 'outages-map-fa-phone.png');
    });
  });

  it('without JavaScript there is no empty map box, only the lists', async () => {
    const context = await browser.newContext({ ...DESKTOP, baseURL: app.origin, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto('/uk/outages');
      assert.equal(await page.locator('#outages-map-section').isVisible(), false);
      assert.ok(await page.locator(`main a[href="/uk/outages/${ids.house}"]`).first().isVisible());
    } finally {
      await context.close();
    }
  });

  it('a dispatcher draws the polygon by clicking the map, with undo; the field gets it and the notice is posted', async () => {
    await withPage(DESKTOP, 'uk-UA', async (page) => {
      await page.goto('/console/login');
      await page.getByLabel(t('uk', 'console.email')).fill('dispatcher@zelenodolsk.example');
      await page.getByLabel(t('uk', 'console.password')).fill(DEMO_PASSWORD);
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.sign_in') }));
      if (page.url().endsWith('/console/enrol')) {
        const secret = await readTotpSecret(page);
        await page.getByLabel(t('uk', 'console.second_factor.code'), { exact: true }).fill(totp(secret));
        await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.second_factor.confirm') }));
      }
      await page.goto('/console/outages/new');
      const map = page.locator('#polygon-map.on');
      await page.locator('#polygon-map.on .leaflet-tile-loaded').first().waitFor();
      const box = (await map.boundingBox())!;
      const at = (x: number, y: number) => map.click({ position: { x: box.width * x, y: box.height * y } });
      await at(0.3, 0.3);
      await at(0.7, 0.3);
      assert.equal(await page.locator('#polygons').inputValue(), '', 'two points are not a polygon yet');
      await at(0.7, 0.7);
      await at(0.5, 0.9);
      assert.match(await page.locator('#polygon-count').innerText(), /4 точки/);
      await page.getByRole('button', { name: t('uk', 'outages.map.undo') }).click();
      const line = await page.locator('#polygons').inputValue();
      const pts = line.split(' ');
      assert.equal(pts.length, 4, `three corners and the first again: ${line}`);
      assert.equal(pts[0], pts[3]);
      assert.match(pts[0], /^-?\d+\.\d{5},-?\d+\.\d{5}$/);
      await checkA11y(page, 'outage form with the map');
      await screenshot(page, 'console-outage-polygon.png');
      await page.getByLabel(t('uk', 'outages.reason')).fill('Заміна трансформатора');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'outages.post') }));
      assert.match(page.url(), /\/console\/outages\/[0-9a-f-]{36}$/);
    });
    const polygons = await sql<{ polygon: [number, number][] }>`select polygon from outage_areas a join outages o on o.id = a.outage_id where a.kind = 'polygon' and o.reason->>'uk' = 'Заміна трансформатора'`.execute(app.app.db);
    assert.equal(polygons.rows.length, 1);
    assert.equal(polygons.rows[0].polygon.length, 4);
  });

  it('when the tile server cannot be reached the map hides and says so; the lists remain (uk, fa)', async () => {
    tiles.close();
    tiles.closeAllConnections();
    for (const lang of ['uk', 'fa'] as const) {
      await withPage(PHONE, lang === 'fa' ? 'fa-IR' : 'uk-UA', async (page) => {
        await page.goto(`/${lang}/outages`);
        await page.locator('#outages-map-failed').waitFor({ state: 'visible' });
        assert.equal(await page.locator('#outages-map-failed').innerText(), t(lang, 'outages.map.failed'));
        assert.equal(await page.locator('#outages-map').isVisible(), false);
        assert.equal(await page.locator('#outages-map-legend').isVisible(), false);
        assert.ok(await page.locator(`main a[href="/${lang}/outages/${ids.house}"]`).first().isVisible(), 'the list is still there');
        await checkA11y(page, `outages without tiles (${lang})`);
        await assertNoHorizontalScroll(page, `outages without tiles (${lang})`);
      });
    }
  });
});
