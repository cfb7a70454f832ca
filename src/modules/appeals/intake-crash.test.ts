import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { sql } from 'kysely';
import { freshDatabase } from '../../test/harness.ts';
import { createDb, type Db } from '../../db/db.ts';

// A real server process is SIGKILLed in the middle of a burst of registrations through the
// API. Whatever was acknowledged (2xx with a number) must be there after the restart, with
// that number; no number twice; and a retry with the same Idempotency-Key gives back the same
// appeal, never a second one.

const BURST_MAX = 1500; // never more requests than this, whatever happens
const CONCURRENCY = 16;
const KILL_AFTER_ACKS = 60;

type Running = { child: ChildProcess; origin: string; output: () => string };

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startServer(databaseUrl: string): Promise<Running> {
  // NODE_TEST_CONTEXT would make the child behave as a test-runner subprocess.
  const { NODE_TEST_CONTEXT: _ctx, ...parentEnv } = process.env;
  const port = await freePort();
  const env = { ...parentEnv, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, CITYDESK_DEMO: 'true', CITYDESK_DEMO_APPEALS: 'false' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const origin = `http://127.0.0.1:${port}`;
  const end = Date.now() + 90_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    // Ready, and the demo banner (with the operator's API key) printed: it follows /readyz.
    const ready = await fetch(`${origin}/readyz`).then((r) => r.status === 200, () => false);
    if (ready && /API: /.test(out)) return { child, origin, output: () => out };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready: ${out}`);
}

const killHard = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

type Outcome = { key: string; status: number | null; id?: string; number?: string };

describe('a server killed during a burst of intake', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Db;
  let first: Running | null = null;
  let second: Running | null = null;
  let token = '';
  let body: (key: string) => string;
  const outcomes: Outcome[] = [];
  let inFlightAtKill = 0;

  const post = (origin: string, key: string) =>
    fetch(`${origin}/api/v1/appeals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: body(key),
      signal: AbortSignal.timeout(30_000),
    });

  before(async () => {
    fresh = await freshDatabase();
    db = createDb(fresh.url, 2).db;
    first = await startServer(fresh.url);
    token = /api_key for POST: (cdk_\S+)/.exec(first.output())![1];
    const cat = await db.selectFrom('appeal_categories as c').innerJoin('communities as k', 'k.id', 'c.community_id')
      .select('c.id').where('k.slug', '=', 'zelenodolsk').orderBy('c.code').executeTakeFirstOrThrow();
    body = (key) => JSON.stringify({
      type: 'statement', channel: 'phone', category_id: cat.id, description: `Burst appeal ${key}: no light in the yard`,
      applicant: { name: 'Test Caller', phone: '+380501234567', address: 'Shevchenka St 12' }, notify_via: 'sms',
    });
  });

  after(async () => {
    for (const s of [first, second]) if (s) await killHard(s.child);
    await db?.destroy();
    await fresh?.drop();
  });

  it('keeps every acknowledged appeal with its number', async () => {
    const origin = first!.origin;
    let next = 0;
    let inFlight = 0;
    let acks = 0;
    let killed: Promise<void> | null = null;
    const worker = async () => {
      while (!killed && next < BURST_MAX) {
        const key = `burst-${String(next++).padStart(5, '0')}`;
        const o: Outcome = { key, status: null };
        outcomes.push(o);
        inFlight++;
        try {
          const r = await post(origin, key);
          o.status = r.status;
          const j = (await r.json()) as { id?: string; number?: string };
          if (r.status === 201) Object.assign(o, { id: j.id, number: j.number });
        } catch {
          o.status = null; // the connection died with the server: outcome unknown to the caller
        } finally {
          inFlight--;
        }
        if (o.number && ++acks >= KILL_AFTER_ACKS && !killed) {
          inFlightAtKill = inFlight;
          killed = killHard(first!.child);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killed;
    assert.ok(killed, 'the server was killed during the burst');
    assert.ok(inFlightAtKill > 0, 'requests were in flight when the server died');
    const acked = outcomes.filter((o) => o.number);
    assert.ok(acked.length >= KILL_AFTER_ACKS);
    assert.ok(outcomes.every((o) => o.status === null || o.status === 201), `only 201 or a dead connection: ${JSON.stringify(outcomes.filter((o) => o.status !== null && o.status !== 201).slice(0, 3))}`);
    assert.equal(new Set(acked.map((o) => o.number)).size, acked.length, 'no number acknowledged twice');

    second = await startServer(fresh.url);
    const rows = await db.selectFrom('appeals').select(['id', 'number']).where('id', 'in', acked.map((o) => o.id!)).execute();
    const byId = new Map(rows.map((r) => [r.id, r.number]));
    for (const o of acked) assert.equal(byId.get(o.id!), o.number, `appeal ${o.key} kept its number`);
    const dup = await sql<{ n: string }>`select count(*) as n from (select community_id, number from appeals group by 1, 2 having count(*) > 1) d`.execute(db);
    assert.equal(dup.rows[0].n, '0', 'no number twice in the database');
  });

  it('a retry with the same Idempotency-Key after the restart returns the same appeal', async () => {
    assert.ok(second, 'restarted');
    // Retry every key of the burst, the acknowledged ones and the ones cut off by the kill.
    for (const o of outcomes) {
      const r = await post(second!.origin, o.key);
      assert.equal(r.status, 201, `retry of ${o.key}`);
      const j = (await r.json()) as { id: string; number: string };
      if (o.number) assert.deepEqual({ id: j.id, number: j.number }, { id: o.id, number: o.number }, `retry of ${o.key} is the same appeal`);
      else Object.assign(o, { id: j.id, number: j.number });
    }
    // Exactly one appeal per key: none lost, none created twice.
    const perKey = await sql<{ d: string; n: string }>`
      select substring(description from 'Burst appeal (burst-[0-9]+)') as d, count(*) as n from appeals
      where description like 'Burst appeal burst-%' group by 1`.execute(db);
    assert.equal(perKey.rows.length, outcomes.length);
    assert.ok(perKey.rows.every((r) => r.n === '1'), 'one appeal per key');
    assert.equal(new Set(outcomes.map((o) => o.number)).size, outcomes.length, 'every key its own number');
    // The restarted server files new appeals after the burst without clashing.
    const later = await post(second!.origin, 'after-restart-0001');
    assert.equal(later.status, 201);
    const { number } = (await later.json()) as { number: string };
    assert.ok(!outcomes.some((o) => o.number === number), `new number ${number} is not one of the burst's`);
  });
});
