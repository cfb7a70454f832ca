// `appeals-intake`: registering new appeals (no photos) through the JSON API,
// `POST /api/v1/appeals` with the demo operator's API token, as a call-centre or chatbot
// integration would: every request its own Idempotency-Key. 32 connections, 15 s. After the
// run every acknowledged number must be in the database, once, and nothing more.
import path from 'node:path';
import { sql } from 'kysely';
import { createDb } from '../../src/db/db.ts';
import { cpuMs, hostLoad, log, makeDataDir, postgresPids, removeDataDir, ROOT, Server, sleep } from '../lib/server.ts';
import { durationSeconds } from '../lib/stats.ts';
import { runJsonChild } from '../lib/autocannon.ts';

const CONNECTIONS = 32;
const WARMUP_REQUESTS = 200;

type LoadResult = {
  sent: number; acknowledged: number; statuses: Record<string, number>; socketErrors: number; elapsed: number;
  perSecond: number[]; p50: number | null; p99: number | null; max: number | null; mean: number; cpuMs: number; numbers: string[];
};

/** A statement by phone with a named caller, as the operators type them in: it gets a legal
 * term and an SMS to the caller through the outbox, the full path of a registration. */
const appeal = (categoryId: string) => ({
  type: 'statement', channel: 'phone', category_id: categoryId,
  description: 'Не горить вуличне освітлення біля під’їзду, прошу замінити лампи (вимірювання)',
  address: 'вул. Шевченка, 12',
  applicant: { name: 'Мешканець Вимірювальний', phone: '+380501234567', address: 'вул. Шевченка, 12, кв. 5' },
  notify_via: 'sms',
});

const runLoad = (options: Record<string, unknown>, seconds: number) =>
  runJsonChild<LoadResult>(['--import', 'tsx', path.join(ROOT, 'bench/lib/post-load.ts'), JSON.stringify(options)], seconds, 'load generator');

export async function appealsIntake(): Promise<Record<string, unknown>> {
  const seconds = durationSeconds();
  const dir = await makeDataDir();
  try {
    log(`appeals-intake: starting CityDesk on ${dir}`);
    const { server } = await Server.start(dir, 'server');
    const { db } = createDb(server.databaseUrl, 1);
    try {
      // The demo banner (with the operator's key) is printed just after /readyz turns 200.
      for (let i = 0; i < 100 && !/API: /.test(server.stdout); i++) await sleep(100);
      const token = /api_key for POST: (cdk_\S+)/.exec(server.stdout)?.[1];
      if (!token) throw new Error('no Open311/API key of the demo operator in the start banner');
      const z = await db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow();
      const cat = await db.selectFrom('appeal_categories').select('id').where('community_id', '=', z.id).where('archived_at', 'is', null).orderBy('code').executeTakeFirstOrThrow();
      const count = async () => Number((await sql<{ n: string }>`select count(*) as n from appeals where community_id = ${z.id}`.execute(db)).rows[0].n);
      const options = { url: `${server.origin}/api/v1/appeals`, headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(appeal(cat.id)), connections: CONNECTIONS, maxInFlightMs: 30_000 };
      // Warm-up: the same path, a short while, fewer connections; it must answer 201 every time.
      const warm = await runLoad({ ...options, connections: 8, seconds: 2, keyPrefix: 'warm' }, 2);
      if (warm.acknowledged !== warm.sent) throw new Error(`warm-up: not every POST answered 2xx: ${JSON.stringify(warm.statuses)} socket errors ${warm.socketErrors}`);
      log(`appeals-intake: warmed up with ${warm.sent} appeals; load: ${CONNECTIONS} connections for ${seconds} s`);
      const before = await count();
      const load = hostLoad();
      const cpu0 = { node: cpuMs([server.pid!]), pg: cpuMs(postgresPids(server.dataDir)) };
      const r = await runLoad({ ...options, seconds, keyPrefix: `run-${Date.now()}` }, seconds);
      const cpu = { node: cpuMs([server.pid!]) - cpu0.node, pg: cpuMs(postgresPids(server.dataDir)) - cpu0.pg };
      const after = await count();
      const found = Number((await sql<{ n: string }>`select count(distinct number) as n from appeals where community_id = ${z.id} and number = any(${r.numbers})`.execute(db)).rows[0].n);
      const distinct = new Set(r.numbers).size;
      log(`appeals-intake: ${r.sent} sent, statuses ${JSON.stringify(r.statuses)}, socket errors ${r.socketErrors}, per second ${JSON.stringify(r.perSecond)}, max ${r.max?.toFixed(1)} ms`);
      if (!server.alive) throw new Error('the server died during the load');
      const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
      return {
        scenario: 'appeals-intake',
        endpoint: 'POST /api/v1/appeals',
        connections: CONNECTIONS,
        duration_s: seconds,
        appeals_per_s: Math.round((r.acknowledged / r.elapsed) * 10) / 10,
        latency_p50_ms: round(r.p50),
        latency_p99_ms: round(r.p99),
        errors: r.sent - r.acknowledged,
        acknowledged: r.acknowledged,
        in_database: after - before,
        acknowledged_found: found,
        duplicate_numbers: r.numbers.length - distinct,
        server_cpu_ms_per_appeal: r.acknowledged ? round(cpu.node / r.acknowledged) : null,
        postgres_cpu_ms_per_appeal: r.acknowledged ? round(cpu.pg / r.acknowledged) : null,
        load_generator_cpu_ms_per_appeal: r.acknowledged ? round(r.cpuMs / r.acknowledged) : null,
        ...load,
        target_appeals_per_s: 1500,
        target_p99_ms: 50,
      };
    } finally {
      await db.destroy();
      const s = await server.stop();
      log(`appeals-intake: server stopped in ${s.toFixed(2)} s`);
    }
  } finally {
    await removeDataDir(dir);
  }
}
