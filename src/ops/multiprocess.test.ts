import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { freshDatabase } from '../test/harness.ts';
import { Client } from '../test/client.ts';
import { DEMO_PASSWORD } from '../demo/load.ts';
import { createDb } from '../db/db.ts';
import { fakeRelay } from '../test/fakes/smtp.ts';
import { spawnServer, stopServer } from '../test/spawn.ts';

describe('two server processes share one database', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let a: Awaited<ReturnType<typeof spawnServer>>;
  let b: Awaited<ReturnType<typeof spawnServer>>;
  const relay = fakeRelay();

  before(async () => {
    db = await freshDatabase();
    const smtp = `smtp://127.0.0.1:${await relay.listen()}`;
    // Started together: migrations and the demo load must happen exactly once.
    [a, b] = await Promise.all([
      spawnServer({ DATABASE_URL: db.url, CITYDESK_DEMO: 'true', SMTP_URL: smtp }),
      spawnServer({ DATABASE_URL: db.url, CITYDESK_DEMO: 'true', SMTP_URL: smtp }),
    ]);
  });
  after(async () => {
    await Promise.all([a && stopServer(a.child), b && stopServer(b.child)]);
    await relay.close();
    await db.drop();
  });

  it('loaded the demo once', async () => {
    const { db: k, pool } = createDb(db.url, 1);
    const n = await sql<{ n: string }>`select count(*) as n from communities`.execute(k);
    assert.equal(n.rows[0].n, '2');
    await k.destroy();
    void pool;
  });

  it('a session started on one process is valid on the other, and sign-out ends it on both', async () => {
    const ca = new Client(a.origin);
    await ca.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    const cb = new Client(b.origin);
    cb.cookies = ca.cookies;
    assert.equal((await cb.request('/console/')).status, 200);
    await cb.post('/console/logout', {}, '/console/');
    assert.equal((await ca.request('/console/')).status, 302);
  });

  it('the sign-in rate limit counts attempts on both processes together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const origin = i % 2 ? a.origin : b.origin;
      statuses.push((await new Client(origin).post('/console/login', { email: 'mayor@zelenodolsk.example', password: `nope-${i}` })).status);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[10], 429);
  });

  it('each message is sent once although both processes run the outbox', async () => {
    const c = new Client(a.origin);
    const d = new Client(b.origin);
    for (let i = 0; i < 6; i++) await (i % 2 ? c : d).post('/uk/login', { contact: `resident${i}@example.org` });
    const { db: k } = createDb(db.url, 1);
    const end = Date.now() + 30_000;
    let rows: Array<{ status: string; n: string }> = [];
    while (Date.now() < end) {
      rows = (await sql<{ status: string; n: string }>`select status, count(*) as n from outbox_messages where recipient like 'resident%' group by 1`.execute(k)).rows;
      if (rows.length === 1 && rows[0].status === 'sent' && rows[0].n === '6') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await k.destroy();
    assert.deepEqual(rows, [{ status: 'sent', n: '6' }]);
    const to = relay.mails.flatMap((m) => m.to).filter((x) => x.startsWith('resident')).sort();
    assert.deepEqual(to, Array.from({ length: 6 }, (_, i) => `resident${i}@example.org`));
  });

  it('both stop cleanly on SIGTERM, finishing a request in flight', async () => {
    const inFlight = fetch(`${a.origin}/uk/`).then((r) => r.status);
    const [codeA, codeB] = await Promise.all([stopServer(a.child), stopServer(b.child)]);
    assert.equal(await inFlight, 200);
    assert.equal(codeA, 0, a.output().slice(-3000));
    assert.equal(codeB, 0, b.output());
  });
});
