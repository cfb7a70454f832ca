// Filings that arrive together are written in one transaction (intake-batch.ts): every one gets
// its own number and message, bad input refuses only its own filing, a key sent twice gives one
// appeal, and a filing that breaks the batch's transaction fails alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { IntakeBatcher } from './intake-batch.ts';
import type { Community } from '../communities/service.ts';
import { fileAppeals, type Filing } from './service.ts';
import { withCommunity } from '../../db/db.ts';

describe('filings that arrive together', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let zel: Community;
  let token = '';
  let categoryId = '';

  before(async () => {
    app = await startTestApp();
    zel = (await app.app.communities.bySlug('zelenodolsk'))!;
    token = (await sql<{ value: string }>`select value from app_settings where key = 'demo_open311_key:zelenodolsk'`.execute(app.app.db)).rows[0].value;
    categoryId = (await sql<{ id: string }>`select id from appeal_categories where community_id = ${zel.id} and archived_at is null order by id limit 1`.execute(app.app.db)).rows[0].id;
  });
  after(() => app.close());

  const appeal = (i: number, extra: Record<string, unknown> = {}) => ({
    type: 'statement', channel: 'phone', category_id: categoryId, description: `Пакет ${i}: не працює ліфт у під’їзді`, address: 'вул. Шевченка, 12',
    applicant: { name: `Заявник ${i}`, phone: `+38050100${String(i).padStart(4, '0')}`, address: 'вул. Шевченка, 12, кв. 5' }, notify_via: 'sms', ...extra,
  });
  const post = (body: unknown, key: string, lang = 'uk') =>
    fetch(`${app.origin}/api/v1/appeals?lang=${lang}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string; number?: string; error?: { code: string; message: string; details?: Record<string, string> } } }));

  it('each gets its own number and SMS; a bad one gets its error and the others are registered; a key sent twice gives one appeal', async () => {
    const before = Number((await sql<{ n: string }>`select count(*) as n from appeals where community_id = ${zel.id}`.execute(app.app.db)).rows[0].n);
    const run = `batch-${randomUUID()}`;
    const replies = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => post(appeal(i), `${run}-${i}`)),
      post(appeal(100, { category_id: randomUUID() }), `${run}-unknown-category`),
      post(appeal(101, { description: 'коротко' }), `${run}-too-short`),
      post(appeal(7), `${run}-7`), // the same key as filing 7, at the same moment
    ]);
    const ok = replies.slice(0, 40);
    assert.deepEqual(ok.map((r) => r.status).filter((s) => s !== 201), [], 'all 40 registered');
    const numbers = ok.map((r) => r.body.number!);
    assert.equal(new Set(numbers).size, 40, 'forty different numbers');
    assert.equal(replies[40].status, 400);
    assert.equal(replies[40].body.error?.details?.category_id, 'unknown');
    assert.equal(replies[41].status, 400);
    assert.ok(replies[41].body.error?.details?.description, JSON.stringify(replies[41].body));
    assert.equal(replies[42].status, 201);
    assert.equal(replies[42].body.id, ok[7].body.id, 'the same key, the same appeal');

    const after = Number((await sql<{ n: string }>`select count(*) as n from appeals where community_id = ${zel.id}`.execute(app.app.db)).rows[0].n);
    assert.equal(after - before, 40);
    // Each caller's SMS carries their own number, written by the insert.
    const sms = await sql<{ recipient: string; body: string }>`select recipient, body from outbox_messages where purpose = 'appeal_registered' and recipient like '+38050100%'`.execute(app.app.db);
    assert.equal(sms.rows.length, 40);
    for (const [i, r] of ok.entries()) {
      const m = sms.rows.find((x) => x.recipient === `+38050100${String(i).padStart(4, '0')}`);
      assert.ok(m?.body.includes(r.body.number!) && !m.body.includes('number'), `${r.body.number}: ${m?.body}`);
    }
    // And each its timeline and audit entry.
    const ids = ok.map((r) => r.body.id!);
    const ev = await sql<{ n: number }>`select count(*)::int as n from appeal_events where appeal_id = any(${ids}::uuid[]) and kind = 'registered'`.execute(app.app.db);
    const au = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'appeal.file' and object_id = any(${ids}::text[])`.execute(app.app.db);
    assert.deepEqual([ev.rows[0].n, au.rows[0].n], [40, 40]);
  });

  it('a filing that breaks the transaction fails alone; the others of its batch are registered', async () => {
    const batcher = new IntakeBatcher({ db: app.app.db, queue: app.app.queue, secret: 'test-secret' });
    const actor = { type: 'system' as const, id: null, label: 'test', communityId: zel.id, requestId: null, ip: null };
    const filing = (i: number, residentId: string | null = null): Filing => ({
      raw: (({ channel: _c, ...rest }) => rest)(appeal(200 + i)) as Filing['raw'], channel: 'phone', lang: 'uk', residentId, idempotencyKey: null, actor,
      followUrl: (n) => `http://x/${n}`, rateUrl: (t) => `http://x/rate/${t}`,
    });
    // The first two go at once (two writers); the next two wait and go together in one
    // transaction, and one of them names a resident who does not exist (a foreign key the
    // database refuses).
    const results = await Promise.allSettled([batcher.file(zel, filing(0)), batcher.file(zel, filing(1)), batcher.file(zel, filing(2, randomUUID())), batcher.file(zel, filing(3))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'], results.map((r) => String((r as PromiseRejectedResult).reason ?? '')).join('; '));
    assert.match(String((results[2] as PromiseRejectedResult).reason), /foreign key/);
    const numbers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.appeal.number] : []));
    const inDb = await sql<{ number: string }>`select number from appeals where number = any(${numbers}::text[])`.execute(app.app.db);
    assert.equal(inDb.rows.length, 3);
  });

  it('a filing refused in the middle of a batch leaves every other filing its own appeal', async () => {
    const actor = { type: 'system' as const, id: null, label: 'test', communityId: zel.id, requestId: null, ip: null };
    const filing = (i: number, extra: Record<string, unknown> = {}): Filing => ({
      raw: (({ channel: _c, ...rest }) => rest)(appeal(400 + i, extra)) as Filing['raw'], channel: 'phone', lang: 'uk', idempotencyKey: `middle-${randomUUID()}`, actor,
      followUrl: (n) => `http://x/${n}`, rateUrl: (t) => `http://x/rate/${t}`,
    });
    // In one call, in this order: fine, unknown category (refused after parsing), fine,
    // too short (refused by parsing), fine.
    const filings = [filing(0), filing(1, { category_id: randomUUID() }), filing(2), filing(3, { description: 'коротко' }), filing(4)];
    const results = await withCommunity(app.app.db, zel.id, (tx) => fileAppeals({ tx, queue: app.app.queue, community: zel, secret: 'test-secret' }, filings));
    assert.deepEqual(results.map((r) => ('error' in r ? 'error' : 'appeal')), ['appeal', 'error', 'appeal', 'error', 'appeal']);
    for (const i of [0, 2, 4]) {
      const r = results[i] as { appeal: { description: string } };
      assert.equal(r.appeal.description, (filings[i].raw as { description: string }).description, `filing ${i} got its own appeal`);
    }
  });

  it('a category edited elsewhere since intake read it is read again; an archived one is refused; a retried key replays', async () => {
    const first = await post(appeal(300), `edit-${randomUUID()}`);
    assert.equal(first.status, 201);
    const other = (await sql<{ id: string }>`select id from organisations where community_id = ${zel.id} and id <> ${(first.body as { executor_org_id: string }).executor_org_id} order by id limit 1`.execute(app.app.db)).rows[0].id;
    // Straight in the database, as another CityDesk process would: this process is not told.
    await sql`update appeal_categories set executor_org_id = ${other} where id = ${categoryId}`.execute(app.app.db);
    try {
      const key = `edit-${randomUUID()}`;
      const second = await post(appeal(301), key);
      assert.equal(second.status, 201);
      assert.equal((second.body as { executor_org_id: string }).executor_org_id, other, 'routed by the category as it is now');
      const retry = await post(appeal(301), key);
      assert.deepEqual([retry.status, retry.body.id, retry.body.number], [201, second.body.id, second.body.number]);
      await sql`update appeal_categories set archived_at = now() where id = ${categoryId}`.execute(app.app.db);
      const archived = await post(appeal(302), `edit-${randomUUID()}`);
      assert.equal(archived.status, 400);
      assert.equal(archived.body.error?.details?.category_id, 'unknown');
    } finally {
      await sql`update appeal_categories set archived_at = null, executor_org_id = ${(first.body as { executor_org_id: string }).executor_org_id} where id = ${categoryId}`.execute(app.app.db);
    }
  });
});
