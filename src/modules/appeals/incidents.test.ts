import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import type { Community } from '../communities/service.ts';
import type { Lang } from '../../db/types.ts';
import { fileAppeal, type AppealsCtx } from './service.ts';
import { addToIncident, closeIncident, createIncident, splitFromIncident } from './incidents.ts';
import { addressKey, sameNeighbourhood, suggestDuplicates } from './duplicates.ts';

const operator = { userId: 'op', roles: ['appeals_operator'], organisationId: null };
const controller = { userId: 'ctl', roles: ['appeals_controller'], organisationId: null };

describe('address keys for duplicate suggestions', () => {
  it('reads the street and house however people write them', () => {
    assert.deepEqual(addressKey('вул. Шевченка, 12а'), { street: 'шевченка', house: 12 });
    assert.deepEqual(addressKey('Шевченка 14, кв. 3'), { street: 'шевченка', house: 14 });
    assert.deepEqual(addressKey('خیابان امام، پلاک ۲۵'), { street: 'امام', house: 25 });
    assert.equal(addressKey(''), null);
    assert.ok(sameNeighbourhood(addressKey('вулиця Шевченка 12'), addressKey('Шевченка, 16')));
    assert.ok(!sameNeighbourhood(addressKey('вул. Шевченка, 12'), addressKey('вул. Шевченка, 40')));
    assert.ok(!sameNeighbourhood(addressKey('вул. Шевченка, 12'), addressKey('вул. Франка, 12')));
    assert.ok(sameNeighbourhood(addressKey('вул. Михайла Грушевського, 20'), addressKey('Грушевського 18')), 'the register’s full name');
  });
});

describe('incidents: grouping, suggestions, closing', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let community: Community;
  let water: string; // "Burst water pipe" → the water utility
  let pothole: string;
  before(async () => {
    app = await startTestApp({ CITYDESK_WORKER: 'false' });
    community = (await app.app.communities.bySlug('zelenodolsk'))!;
    const cats = await withCommunity(app.app.db, community.id, (tx) => tx.selectFrom('appeal_categories').select(['id', 'code']).execute());
    water = cats.find((c) => c.code === 'water-leak')!.id;
    pothole = cats.find((c) => c.code === 'pothole')!.id;
  });
  after(() => app.close());

  const inTx = <T>(fn: (ctx: AppealsCtx) => Promise<T>) => withCommunity(app.app.db, community.id, (tx) =>
    fn({ tx, queue: app.app.queue, actor: systemActor(community.id), community, secret: app.app.secret, followUrl: (n) => `http://x/${n}`, rateUrl: () => 'http://x/rate' }));
  const file = (o: { category?: string; address?: string; email?: string; phone?: string; lang?: Lang; text?: string }) =>
    inTx(async (ctx) => (await fileAppeal(ctx, {
      category_id: o.category ?? water, description: o.text ?? 'Тече вода посеред вулиці, калюжа росте', address: o.address,
      applicant: { name: 'Заявник', email: o.email, phone: o.phone }, notify_via: o.email ? 'email' : o.phone ? 'sms' : 'none',
    }, { channel: 'phone', lang: o.lang ?? 'uk' })).appeal);
  const outbox = async (recipient: string, purpose: string) =>
    (await sql<{ body: string }>`select body from outbox_messages where recipient = ${recipient} and purpose = ${purpose}`.execute(app.app.db)).rows;

  it('suggests open appeals by the same caller or the same problem nearby, and open incidents of the category', async () => {
    const a = await file({ address: 'вул. Шевченка, 12', phone: '+380 67 555 00 01' });
    const b = await file({ address: 'вул. Шевченка, 40' });
    const c = await file({ category: pothole, address: 'вул. Шевченка, 13', text: 'Яма на дорозі біля під’їзду' });
    const found = await inTx((ctx) => suggestDuplicates(ctx.tx, { category_id: water, address: 'Шевченка 14', phone: null }));
    const ids = found.appeals.map((x) => x.id);
    assert.ok(ids.includes(a.id), 'same street, close house');
    assert.ok(!ids.includes(b.id), 'same street, far house');
    assert.ok(!ids.includes(c.id), 'other category');
    const byPhone = await inTx((ctx) => suggestDuplicates(ctx.tx, { category_id: pothole, address: null, phone: '067 555 00 01' }));
    assert.deepEqual(byPhone.appeals.find((x) => x.id === a.id)?.reasons, ['phone']);
    // Once an incident is open there, a new appeal nearby is suggested for it.
    const incident = await inTx((ctx) => createIncident(ctx, operator, { category_id: water, title: 'Порив на Шевченка', location: 'вул. Шевченка, 10', appeal_ids: [a.id] }));
    const again = await inTx((ctx) => suggestDuplicates(ctx.tx, { category_id: water, address: 'вулиця Шевченка 8' }));
    assert.deepEqual(again.incidents.map((i) => i.id), [incident.id]);
    assert.equal(again.incidents[0].appeals, 1);
    const elsewhere = await inTx((ctx) => suggestDuplicates(ctx.tx, { category_id: water, address: 'вул. Франка, 3' }));
    assert.deepEqual(elsewhere.incidents, []);
  });

  it('groups appeals of one category; refuses other categories, closed appeals and a second incident; splits', async () => {
    const a = await file({ address: 'вул. Садова, 1' });
    const b = await file({ address: 'вул. Садова, 3' });
    const road = await file({ category: pothole, address: 'вул. Садова, 2', text: 'Яма на дорозі біля школи' });
    const incident = await inTx((ctx) => createIncident(ctx, operator, { category_id: water, title: 'Порив на Садовій', appeal_ids: [a.id] }));
    await inTx((ctx) => addToIncident(ctx, operator, incident.id, b.id));
    await assert.rejects(inTx((ctx) => addToIncident(ctx, operator, incident.id, road.id)), /invalid_input/);
    const other = await inTx((ctx) => createIncident(ctx, operator, { category_id: water, title: 'Інший порив' }));
    await assert.rejects(inTx((ctx) => addToIncident(ctx, operator, other.id, b.id)), /appeal_in_incident/);
    await assert.rejects(inTx((ctx) => createIncident(ctx, operator, { category_id: water, title: 'x' })), /too_small|Too small|>=3/i);
    await assert.rejects(inTx((ctx) => splitFromIncident(ctx, operator, b.id)), /forbidden/, 'operators group; controllers split');
    await inTx((ctx) => splitFromIncident(ctx, controller, b.id));
    const rows = await sql<{ id: string; incident_id: string | null }>`select id, incident_id from appeals where id in (${a.id}, ${b.id})`.execute(app.app.db);
    assert.equal(rows.rows.find((r) => r.id === a.id)!.incident_id, incident.id);
    assert.equal(rows.rows.find((r) => r.id === b.id)!.incident_id, null);
    const events = await sql<{ kind: string }>`select kind from appeal_events where appeal_id = ${b.id} order by id`.execute(app.app.db);
    assert.deepEqual(events.rows.map((e) => e.kind), ['registered', 'incident_linked', 'incident_split']);
    // Splitting while the incident is being closed: both take the incident's lock first, so one
    // waits for the other (no deadlock); the split either happens first or finds it closed.
    const c = await file({ address: 'вул. Садова, 5' });
    await inTx((ctx) => addToIncident(ctx, operator, incident.id, c.id));
    const race = await Promise.allSettled([
      inTx((ctx) => closeIncident(ctx, controller, incident.id, 'Трубу замінено, вода є')),
      inTx((ctx) => splitFromIncident(ctx, controller, c.id)),
    ]);
    assert.equal(race[0].status, 'fulfilled');
    if (race[1].status === 'rejected') assert.match(String(race[1].reason), /incident_closed/);
  });

  it('closing notifies every applicant exactly once, in their language, even when closed twice at once', async () => {
    const uk = await file({ address: 'вул. Лісова, 1', email: 'lisova1@example.org' });
    const en = await file({ address: 'вул. Лісова, 3', email: 'lisova3@example.org', lang: 'en' });
    const twice = await file({ address: 'вул. Лісова, 5', email: 'lisova5@example.org' });
    const twiceAgain = await file({ address: 'вул. Лісова, 5', email: 'LISOVA5@example.org' });
    const sms = await file({ address: 'вул. Лісова, 7', phone: '+380 50 777 00 07' });
    const anonymous = await file({ address: 'вул. Лісова, 9' });
    const ids = [uk, en, twice, twiceAgain, sms, anonymous].map((a) => a.id);
    const incident = await inTx((ctx) => createIncident(ctx, operator, { category_id: water, title: 'Порив на Лісовій', appeal_ids: ids }));
    await assert.rejects(inTx((ctx) => closeIncident(ctx, operator, incident.id, 'Усе полагоджено')), /forbidden/);
    await assert.rejects(inTx((ctx) => closeIncident(ctx, controller, incident.id, 'ok')), /invalid_input/);
    const message = 'Водогін відремонтовано, воду подано о 14:00';
    const results = await Promise.allSettled([0, 1].map(() => inTx((ctx) => closeIncident(ctx, controller, incident.id, message))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'the second close finds it closed');
    const done = results.find((r) => r.status === 'fulfilled')!.value;
    assert.equal(done.closed, 6);
    assert.equal(done.notified, 4);
    for (const to of ['lisova1@example.org', 'lisova3@example.org', 'lisova5@example.org', '+380 50 777 00 07']) {
      const sent = await outbox(to, 'appeal_incident_closed');
      assert.equal(sent.length, 1, to);
      assert.match(sent[0].body, /Водогін відремонтовано/);
    }
    assert.match((await outbox('lisova3@example.org', 'appeal_incident_closed'))[0].body, /the problem is fixed/);
    assert.match((await outbox('lisova1@example.org', 'appeal_incident_closed'))[0].body, /проблему усунено/);
    const statuses = await sql<{ status: string }>`select distinct status from appeals where incident_id = ${incident.id}`.execute(app.app.db);
    assert.deepEqual(statuses.rows.map((r) => r.status), ['closed']);
    const timeline = await sql<{ note: string; is_public: boolean }>`select note, is_public from appeal_events where appeal_id = ${uk.id} and kind = 'close'`.execute(app.app.db);
    assert.deepEqual(timeline.rows, [{ note: message, is_public: true }]);
    const late = await file({});
    await assert.rejects(inTx((ctx) => addToIncident(ctx, operator, incident.id, late.id)), /incident_closed/);
  });

  it('in the console: the operator sees duplicates before registering, attaches or registers; the controller closes', async () => {
    const op = new Client(app.origin);
    await op.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    const first = await op.post('/console/appeals', { channel: 'phone', type: 'statement', category_id: water, description: 'Вода б’є з-під землі біля магазину', address: 'вул. Грушевського, 20', name: 'Марія', phone: '+380 63 100 20 30' }, '/console/appeals');
    assert.equal(first.status, 303, 'nothing similar: registered at once');
    const firstId = /appeals\/([0-9a-f-]{36})$/.exec(first.location!)![1];
    const form = { channel: 'phone', type: 'statement', category_id: water, description: 'Тече вода на тротуарі, заливає вхід', address: 'Грушевського 22', name: 'Остап', phone: '+380 97 200 30 40' };
    const asked = await op.post('/console/appeals', form, '/console/appeals');
    assert.equal(asked.status, 200);
    assert.match(asked.text, /data-testid="duplicates"/);
    assert.match(asked.text, /value="Тече вода на тротуарі, заливає вхід"|>Тече вода на тротуарі, заливає вхід</, 'what was typed is kept');
    assert.match(asked.text, new RegExp(`value="appeal:${firstId}"`));
    const json = (await op.request(`/console/appeals/duplicates.json?category_id=${water}&address=${encodeURIComponent('Грушевського 18')}`)).json();
    assert.deepEqual(json.appeals.map((a: { id: string }) => a.id), [firstId]);
    assert.doesNotMatch(JSON.stringify(json), /Марія|100 20 30/, 'no personal data in the suggestions');
    const executor = new Client(app.origin);
    await executor.staffLogin('', 'executor.water@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await executor.request(`/console/appeals/duplicates.json?category_id=${water}`)).status, 404);

    // Attach the call to the first appeal: a note, no new appeal.
    const attached = await op.post('/console/appeals', { ...form, dup: `appeal:${firstId}` }, '/console/appeals');
    assert.equal(attached.location, `/console/appeals/${firstId}`);
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from appeals where address ilike '%Грушевського%'`.execute(app.app.db)).rows[0].n);
    assert.equal(await count(), 1);
    assert.match((await op.request(`/console/appeals/${firstId}`)).text, /Тече вода на тротуарі[\s\S]*Остап/);

    // Create an incident from the appeal page, then a new call is registered into it.
    const page = await op.request(`/console/appeals/${firstId}`);
    assert.match(page.text, /data-testid="incident-panel"/);
    const created = await op.post('/console/appeals/incidents', { category_id: water, title: 'Порив на Грушевського', location: 'вул. Грушевського, 20', appeal_ids: [firstId] }, `/console/appeals/incidents/new?appeal=${firstId}`);
    assert.equal(created.status, 303);
    const incidentId = /incidents\/([0-9a-f-]{36})$/.exec(created.location!)![1];
    const bad = await op.post('/console/appeals/incidents', { category_id: water, title: 'x', description: 'залишається' }, '/console/appeals/incidents/new');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /role="alert"/);
    assert.match(bad.text, />залишається</);
    const into = await op.post('/console/appeals', { ...form, email: 'ostap@example.org', dup: `incident:${incidentId}` }, '/console/appeals');
    assert.equal(into.status, 303);
    assert.equal(await count(), 2);
    const incidentPage = await op.request(`/console/appeals/incidents/${incidentId}`);
    assert.equal((incidentPage.text.match(/<tr><td><a href="\/console\/appeals\/[0-9a-f-]{36}">/g) ?? []).length, 2);
    assert.doesNotMatch(incidentPage.text, /name="message"/, 'operators do not close incidents');

    const ctl = new Client(app.origin);
    await ctl.staffLogin('', 'controller@zelenodolsk.example', DEMO_PASSWORD);
    const empty = await ctl.post(`/console/appeals/incidents/${incidentId}/close`, { message: '' }, `/console/appeals/incidents/${incidentId}`);
    assert.equal(empty.status, 400);
    const closed = await ctl.post(`/console/appeals/incidents/${incidentId}/close`, { message: 'Трубу замінено, воду подано' }, `/console/appeals/incidents/${incidentId}`);
    assert.equal(closed.status, 200);
    assert.match(closed.text, /data-testid="incident-status">закритий/);
    assert.equal((await outbox('ostap@example.org', 'appeal_incident_closed')).length, 1);
    const list = await ctl.request('/console/appeals/incidents?show=closed&lang=fa');
    assert.match(list.text, /<html lang="fa" dir="rtl">/);
    assert.match(list.text, /Порив на Грушевського/);
    // The roads executor sees no incident of the water utility.
    const roads = new Client(app.origin);
    await roads.staffLogin('', 'executor.roads@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await roads.request(`/console/appeals/incidents/${incidentId}`)).status, 404);
  });
});
