import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import { fileAppeal, type AppealsCtx } from './service.ts';
import { extendTerm } from './actions.ts';
import { sweepCommunity } from './jobs.ts';

describe('appeals: from filing to the resident’s rating', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let categoryId: string; // "Burst water pipe" → the water utility
  before(async () => {
    app = await startTestApp();
    const z = await app.app.db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow();
    categoryId = (await withCommunity(app.app.db, z.id, (tx) => tx.selectFrom('appeal_categories').select('id').where('code', '=', 'water-leak').executeTakeFirstOrThrow())).id;
  });
  after(() => app.close());

  const lastMessageTo = async (to: string) =>
    (await sql<{ body: string }>`select body from outbox_messages where recipient = ${to} order by created_at desc limit 1`.execute(app.app.db)).rows[0]?.body ?? '';
  const appealId = async (number: string) => (await sql<{ id: string }>`select id from appeals where number = ${number}`.execute(app.app.db)).rows[0].id;

  it('a resident files on the portal, follows it, the executor handles it, a bad rating reopens it', async () => {
    const resident = new Client(app.origin);
    const bad = await resident.post('/uk/appeals/new', { category_id: '', description: 'short', name: 'Олена', email: 'not-an-email' }, '/uk/appeals/new');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /value="Олена"/, 'what was typed is kept');
    assert.match(bad.text, /id="description-error"/);
    assert.match(bad.text, /id="category_id-error"/);

    const filed = await resident.post('/uk/appeals/new', {
      category_id: categoryId, type: 'statement', description: 'Тече вода з-під асфальту біля будинку вже другий день',
      address: 'вул. Шевченка, 12', name: 'Олена Коваль', email: 'olena@example.org', applicant_address: 'вул. Шевченка, 12, кв. 3',
    }, '/uk/appeals/new');
    assert.equal(filed.status, 303);
    const follow = filed.location!;
    const number = /\/uk\/appeals\/(\d{4}-\d{6})\?key=/.exec(follow)![1];
    const page = await new Client(app.origin).request(follow);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(number));
    assert.doesNotMatch(page.text, /olena@example\.org|Олена Коваль/, 'no personal data on the follow page');
    assert.equal((await new Client(app.origin).request(`/uk/appeals/${number}?key=forged`)).status, 404);
    assert.match(await lastMessageTo('olena@example.org'), new RegExp(`${number}[\\s\\S]*key=`));
    const id = await appealId(number);

    // The water utility's executor sees it; the roads executor does not.
    const water = new Client(app.origin);
    await water.staffLogin('', 'executor.water@zelenodolsk.example', DEMO_PASSWORD);
    assert.match((await water.request('/console/appeals')).text, new RegExp(number));
    const roads = new Client(app.origin);
    await roads.staffLogin('', 'executor.roads@zelenodolsk.example', DEMO_PASSWORD);
    assert.doesNotMatch((await roads.request('/console/appeals')).text, new RegExp(number));
    assert.equal((await roads.request(`/console/appeals/${id}`)).status, 404);
    assert.equal((await roads.post(`/console/appeals/${id}/accept`, {}, '/console/security')).status, 404);

    const act = (c: Client, action: string, form: Record<string, string> = {}) => c.post(`/console/appeals/${id}/${action}`, form, `/console/appeals/${id}`);
    assert.equal((await act(water, 'report', { report: 'Усе зроблено' })).status, 409, 'cannot report before accepting');
    assert.equal((await act(water, 'accept')).status, 200);
    assert.equal((await act(water, 'report', { report: 'Замінено ділянку труби, асфальт відновлено' })).status, 200);
    const rateLink = /(\/uk\/rate\/[\w-]+)/.exec(await lastMessageTo('olena@example.org'))![1];

    const rater = new Client(app.origin);
    assert.match((await rater.request(rateLink)).text, /name="rating"/);
    assert.equal((await rater.post(rateLink, { rating: '2', comment: 'Асфальт так і не поклали' })).status, 200);
    const reopened = (await sql<{ status: string; reopen_count: number; rating: number }>`select status, reopen_count, rating from appeals where id = ${id}`.execute(app.app.db)).rows[0];
    assert.deepEqual(reopened, { status: 'reopened', reopen_count: 1, rating: 2 });
    assert.match((await rater.request(rateLink)).text, /role="status"/, 'the link works once');

    await act(water, 'accept');
    await act(water, 'report', { report: 'Асфальт покладено' });
    const operator = new Client(app.origin);
    await operator.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await act(operator, 'phone-rating', { rating: '5', comment: 'дякую' })).status, 200);
    const timeline = (await new Client(app.origin).request(follow)).text;
    for (const kind of ['registered', 'accept', 'report', 'rate_bad', 'rate_good']) assert.ok(timeline.includes(await label(kind)), kind);
    assert.match(timeline, /Асфальт так і не поклали/);
    const final = (await sql<{ status: string }>`select status from appeals where id = ${id}`.execute(app.app.db)).rows[0];
    assert.equal(final.status, 'resolved');
  });

  async function label(kind: string) {
    const { t } = await import('../../i18n/i18n.ts');
    return t('uk', `appeals.event.${kind}` as 'appeals.event.note');
  }

  it('an operator registers a phone appeal; the caller’s earlier appeals show; a consultation closes at once', async () => {
    const op = new Client(app.origin);
    await op.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    const first = await op.post('/console/appeals', { channel: 'phone', type: 'complaint', category_id: categoryId, description: 'Немає води в під’їзді з ранку', address: 'вул. Франка, 3', name: 'Петро Іваненко', phone: '+380 67 111 22 33', applicant_address: 'вул. Франка, 3, кв. 1' }, '/console/appeals');
    assert.equal(first.status, 303);
    const lookup = await op.request(`/console/appeals?phone=${encodeURIComponent('067 111 22 33')}`);
    assert.match(lookup.text, /data-testid="earlier"[\s\S]*Немає води/);
    const consult = await op.post('/console/appeals', { channel: 'phone', type: 'consultation', category_id: categoryId, description: 'Питав графік подачі води в мікрорайоні', answer: 'Вода подається цілодобово' }, '/console/appeals');
    const page = await op.request(consult.location!);
    assert.match(page.text, new RegExp(`data-testid="status">${await status('closed')}`));
    const row = (await sql<{ anonymous: boolean; legal_due_at: Date | null; channel: string }>`select anonymous, legal_due_at, channel from appeals where description like 'Питав%'`.execute(app.app.db)).rows[0];
    assert.deepEqual(row, { anonymous: true, legal_due_at: null, channel: 'phone' });
  });

  async function status(s: string) {
    const { t } = await import('../../i18n/i18n.ts');
    return t('uk', `appeals.status.${s}` as 'appeals.status.closed');
  }

  it('a retried filing with the same idempotency key gives the same appeal; the legal term extends to 45 days at most', async () => {
    const z = await app.app.db.selectFrom('communities').selectAll().where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow();
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    const file = () =>
      withCommunity(app.app.db, z.id, (tx) => {
        const ctx: AppealsCtx = { tx, queue: app.app.queue, actor: systemActor(z.id), community, secret: app.app.secret, followUrl: () => 'x', rateUrl: () => 'x' };
        return fileAppeal(ctx, { category_id: categoryId, description: 'Порив на магістралі біля школи', address: 'вул. Лесі Українки, 1', applicant: { name: 'Іван Петренко', phone: '+380501112233', address: 'вул. Лесі Українки, 5' } }, { channel: 'open311', lang: 'uk', idempotencyKey: 'retry-1' });
      });
    const a = await file();
    const b = await file();
    assert.equal(b.appeal.id, a.appeal.id);
    assert.equal(b.replayed, true);
    assert.equal(a.appeal.legal_days, 15);
    const controller = { userId: 'x', roles: ['appeals_controller'], organisationId: null };
    const extend = (days: number) => withCommunity(app.app.db, z.id, (tx) => extendTerm({ tx, queue: app.app.queue, actor: systemActor(z.id), community, secret: app.app.secret, followUrl: () => 'x', rateUrl: () => 'x' }, controller, a.appeal.id, days, 'Потрібна додаткова перевірка'));
    const extended = await extend(30);
    assert.equal(extended.legal_extension_days, 30);
    await assert.rejects(extend(1), /invalid_input/);
    const n = (await sql<{ n: string }>`select count(*) as n from appeals where description = 'Порив на магістралі біля школи'`.execute(app.app.db)).rows[0].n;
    assert.equal(n, '1');
  });

  it('deadline control: reminds, escalates once whatever restarts, resolves when no rating comes', async () => {
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    const deps = { db: app.app.db, queue: app.app.queue, secret: app.app.secret, origin: () => app.origin };
    const op = new Client(app.origin);
    await op.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    const r = await op.post('/console/appeals', { channel: 'phone', type: 'statement', category_id: categoryId, description: 'Тече каналізація у підвалі будинку', address: 'вул. Садова, 8' }, '/console/appeals');
    const id = /appeals\/([0-9a-f-]{36})/.exec(r.location!)![1];
    await sql`update appeals set service_due_at = now() - interval '1 hour' where id = ${id}`.execute(app.app.db);
    // Two sweeps at once and one more after: one escalation.
    await Promise.all([sweepCommunity(deps, community), sweepCommunity(deps, community)]);
    await sweepCommunity(deps, community);
    const alerts = await sql<{ n: string }>`select count(*) as n from appeal_alerts where appeal_id = ${id} and kind = 'escalation'`.execute(app.app.db);
    assert.equal(alerts.rows[0].n, '1');
    const mails = await sql<{ n: string }>`select count(*) as n from outbox_messages where purpose = 'appeal_escalation' and recipient = 'controller@zelenodolsk.example' and body like ${'%' + id + '%'}`.execute(app.app.db);
    assert.equal(mails.rows[0].n, '1');
    // A new target (after reassignment, say) may be escalated again; the same one never.
    await sql`update appeals set service_due_at = now() + interval '30 minutes' where id = ${id}`.execute(app.app.db);
    await sweepCommunity(deps, community);
    const reminders = await sql<{ n: string }>`select count(*) as n from appeal_alerts where appeal_id = ${id} and kind = 'reminder'`.execute(app.app.db);
    assert.equal(reminders.rows[0].n, '1');

    await sql`update appeals set status = 'reported', reported_at = now() - interval '8 days' where id = ${id}`.execute(app.app.db);
    await sweepCommunity(deps, community);
    const after = (await sql<{ status: string }>`select status from appeals where id = ${id}`.execute(app.app.db)).rows[0];
    assert.equal(after.status, 'resolved');
  });
});
