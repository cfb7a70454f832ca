import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../test/harness.ts';
import { Client } from '../test/client.ts';
import { DEMO_PASSWORD } from '../demo/load.ts';

describe('appeals API', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let operator: string;
  let water: string;
  let roads: string;
  let category: string;
  before(async () => {
    app = await startTestApp();
    const token = async (email: string) => {
      const c = new Client(app.origin);
      await c.staffLogin('', email, DEMO_PASSWORD);
      return c.apiToken('', 'write');
    };
    [operator, water, roads] = [await token('operator@zelenodolsk.example'), await token('executor.water@zelenodolsk.example'), await token('executor.roads@zelenodolsk.example')];
    category = (await app.app.db.selectFrom('appeal_categories').select('id').where('code', '=', 'no-water').executeTakeFirstOrThrow()).id;
  });
  after(() => app.close());

  const call = (token: string, path: string, init: Parameters<Client['request']>[1] = {}) =>
    new Client(app.origin).request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

  it('registers once per idempotency key, routes to the executor, and follows the state machine', async () => {
    const body = { channel: 'email', type: 'complaint', category_id: category, description: 'Третій день немає холодної води на 5 поверсі', address: 'просп. Незалежності, 20', applicant: { name: 'Марія Бондар', email: 'maria.bondar@example.org', address: 'просп. Незалежності, 20, кв. 51' } };
    const first = await call(operator, '/api/v1/appeals', { json: body, headers: { 'idempotency-key': 'mail-2026-11-22-0001' } });
    assert.equal(first.status, 201, first.text);
    const again = await call(operator, '/api/v1/appeals', { json: body, headers: { 'idempotency-key': 'mail-2026-11-22-0001' } });
    assert.equal(again.json().id, first.json().id);
    const a = first.json();
    assert.equal(a.status, 'registered');
    assert.ok(a.legal_due_at, 'a named complaint has a legal term');

    assert.equal((await call(roads, `/api/v1/appeals/${a.id}`)).status, 404);
    assert.ok(!(await call(roads, '/api/v1/appeals')).json().items.some((x: { id: string }) => x.id === a.id));
    assert.ok((await call(water, '/api/v1/appeals')).json().items.some((x: { id: string }) => x.id === a.id));

    const act = (token: string, json: unknown) => call(token, `/api/v1/appeals/${a.id}/actions`, { json });
    assert.equal((await act(water, { action: 'report', report: 'Подачу відновлено' })).status, 409);
    assert.equal((await act(water, { action: 'accept' })).json().status, 'in_progress');
    assert.equal((await act(water, { action: 'report', report: 'Подачу відновлено після ремонту насоса' })).json().status, 'reported');
    assert.equal((await act(water, { action: 'rating', rating: 5 })).status, 404, 'executors do not record ratings');
    const reopened = (await act(operator, { action: 'rating', rating: 1, comment: 'Вода знову зникла' })).json();
    assert.deepEqual([reopened.status, reopened.reopen_count], ['reopened', 1]);
    assert.equal((await act(operator, { action: 'fly' })).status, 400);
    const full = (await call(operator, `/api/v1/appeals/${a.id}`)).json();
    assert.deepEqual(full.timeline.map((e: { kind: string }) => e.kind), ['registered', 'accept', 'report', 'rate_bad']);
  });

  it('executors cannot register appeals; bad input changes nothing', async () => {
    assert.equal((await call(water, '/api/v1/appeals', { json: { category_id: category, description: 'Перевірка прав виконавця' } })).status, 403);
    const bad = await call(operator, '/api/v1/appeals', { json: { category_id: category, description: 'коротко', extra: 1 } });
    assert.equal(bad.status, 400);
    assert.ok(bad.json().error.details.description && bad.json().error.details.extra);
  });
});
