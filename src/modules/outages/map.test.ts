import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { outageShapes } from './map.ts';

type Item = { e: number; u: string; t: string; a: string; g: [number, number][][]; p: [number, number][] };
const itemsOf = (page: string): Item[] => JSON.parse(/data-outages="([^"]*)"/.exec(page)![1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));

describe('the outages map: each notice’s area from its rules, after the lists, Leaflet served locally', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const dispatcher = new Client('');
  const ids: Record<string, string> = {};
  before(async () => {
    app = await startTestApp({ CITYDESK_MAP_TILES: 'http://127.0.0.1:9/{z}/{x}/{y}.png', CITYDESK_MAP_ATTRIBUTION: 'Test tiles' });
    await sql`update outages set status = 'closed', actual_end_at = now()`.execute(app.app.db);
    Object.assign(dispatcher, { origin: app.origin });
    await dispatcher.staffLogin('', 'dispatcher@zelenodolsk.example', DEMO_PASSWORD);
    const post = async (name: string, form: Record<string, string>) => {
      const r = await dispatcher.post('/console/outages/new', { kind: 'heating', emergency: 'true', reason: 'Ремонт', starts: '2026-11-22T08:00', ends: '2030-11-22T20:00', ...form }, '/console/outages/new');
      assert.equal(r.status, 303, r.text.slice(0, 400));
      ids[name] = /outages\/([0-9a-f-]{36})$/.exec(r.location!)![1];
    };
    await post('odd', { area: 'вул. Івана Франка, 1-9 непарні' });
    await post('house', { area: 'вул. Івана Франка, 4', kind: 'gas' });
    await post('polygon', { emergency: 'false', kind: 'electricity', starts: '2030-01-10T08:00', ends: '2030-01-10T18:00', area: '', polygons: '48.92,24.70 48.93,24.70 48.93,24.72 48.92,24.72 48.92,24.70' });
  });
  after(async () => {
    await app.close();
  });

  it('a range is the points of its houses that have coordinates, a house its point, a polygon its ring', async () => {
    const c = (await app.app.communities.bySlug('zelenodolsk'))!;
    const shapes = await withCommunity(app.app.db, c.id, (tx) => outageShapes(tx, Object.values(ids)));
    const houses = await sql<{ number: string; lat: number }>`select b.number, b.lat from outage_areas a join buildings b on b.street_id = a.street_id
      where a.outage_id = ${ids.odd} and b.lat is not null and substring(b.number from '\\d+')::int between 1 and 9 and substring(b.number from '\\d+')::int % 2 = 1`.execute(app.app.db);
    assert.ok(houses.rows.length > 0, 'the demo register has coordinates');
    assert.ok(shapes.get(ids.odd)!.points.length >= 1 && shapes.get(ids.odd)!.points.length <= houses.rows.length);
    assert.equal(shapes.get(ids.house)!.points.length, 1);
    assert.equal(shapes.get(ids.polygon)!.polygons.length, 1);
    assert.equal(shapes.get(ids.polygon)!.points.length, 0);
    // Past the limit a street is one marker in the middle of its known houses.
    const few = await withCommunity(app.app.db, c.id, (tx) => outageShapes(tx, [ids.odd], 0));
    assert.equal(few.get(ids.odd)!.points.length, 0, 'limit 0: nothing');
    const one = await withCommunity(app.app.db, c.id, (tx) => outageShapes(tx, [ids.odd], 1));
    assert.equal(one.get(ids.odd)!.points.length, 1, 'one street → one point');
  });

  it('the page keeps the lists first; the map comes after them, hidden until drawn, emergency and planned told apart, popups link to the notice', async () => {
    const r = await new Client(app.origin).request('/uk/outages');
    assert.equal(r.status, 200);
    const map = r.text.indexOf('id="outages-map-section"');
    assert.ok(map > r.text.indexOf('Заплановані') && map > r.text.indexOf(`/uk/outages/${ids.odd}`), 'after both lists');
    assert.match(r.text, /<section id="outages-map-section" data-map-part aria-labelledby="outages-map-title" hidden>/);
    assert.match(r.text, /id="outages-map-failed" class="notice" role="status" data-map-part hidden>Мапу не вдалося завантажити/);
    const items = itemsOf(r.text);
    const byUrl = new Map(items.map((i) => [i.u, i]));
    assert.equal(byUrl.get(`/uk/outages/${ids.odd}`)!.e, 1);
    assert.equal(byUrl.get(`/uk/outages/${ids.polygon}`)!.e, 0);
    assert.deepEqual(byUrl.get(`/uk/outages/${ids.polygon}`)!.g, [[[48.92, 24.7], [48.93, 24.7], [48.93, 24.72], [48.92, 24.72], [48.92, 24.7]]]);
    assert.match(byUrl.get(`/uk/outages/${ids.house}`)!.t, /Газ — Аварійне/);
    for (const src of [...r.text.matchAll(/<(?:script src|link rel="stylesheet" href)="([^"]+\/assets\/map\/[^"]+)"/g)].map((m) => m[1])) {
      const a = await new Client(app.origin).request(src);
      assert.equal(a.status, 200, src);
      assert.match(a.headers.get('cache-control')!, /immutable/);
    }
    assert.match(r.text, /leaflet-1\.\d+\.\d+\.js/);
  });

  it('Persian: the page reads right to left and the map box stays left to right', async () => {
    const r = await new Client(app.origin).request('/fa/outages');
    assert.match(r.text, /<html lang="fa" dir="rtl">/);
    assert.match(r.text, /<div id="outages-map" class="citymap" dir="ltr" role="region" aria-label="نقشه"/);
    assert.match(r.text, /قرمز پیوسته/);
  });

  it('the console’s notice form offers drawing the polygon on a map; the text field stays', async () => {
    const r = await dispatcher.request('/console/outages/new');
    assert.match(r.text, /<textarea id="polygons" name="polygons"/);
    assert.match(r.text, /<div id="polygon-draw" class="stack" data-map-part hidden>/);
    assert.match(r.text, /data-field="polygons"/);
    const bounds = JSON.parse(/data-bounds="([^"]*)"/.exec(r.text)![1].replace(/&quot;/g, '"')) as number[][];
    assert.ok(bounds[0][0] < bounds[1][0] && bounds[0][1] < bounds[1][1], 'the community’s extent');
    assert.match(r.text, /outage-polygon-[0-9a-f]{10}\.js/);
  });
});
