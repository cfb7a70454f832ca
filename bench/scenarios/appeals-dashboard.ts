// `appeals-dashboard`: the console's period dashboard (`/console/appeals/dashboard`) over a
// community with 1,000,000 appeals, generated in SQL by the demo's own generator. One
// signed-in leader asks for the page again and again; the figure is the whole request.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDb } from '../../src/db/db.ts';
import { loadDemoAppeals } from '../../src/demo/appeals-year.ts';
import { DEMO_PASSWORD } from '../../src/demo/load.ts';
import { Client } from '../../src/test/client.ts';
import { cpuMs, hostLoad, log, makeDataDir, postgresPids, removeDataDir, Server, withTimeout } from '../lib/server.ts';
import { durationSeconds, percentile } from '../lib/stats.ts';

const APPEALS = 1_000_000;
const LEADER = 'mayor@zelenodolsk.example';
const WARMUP_REQUESTS = 3;
/** Bounded even when the page is fast: at most this many measured requests per period. */
const MAX_REQUESTS = 5_000;
const WORDS = { description: 'Звернення для вимірювання №', street: 'вул. Вимірювальна,', resident: 'Мешканець', phonePrefix: '+38067' };

/** Loads the million appeals into the default community, straight into its database. */
async function loadMillion(server: Server): Promise<{ loadS: number; vacuumS: number }> {
  const { db } = createDb(server.databaseUrl, 1);
  try {
    const c = await db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow();
    const t0 = performance.now();
    await db.transaction().execute(async (tx) => {
      // Bulk load as the owner: the generator's rows reference existing categories and
      // organisations by construction, so the per-row foreign-key triggers are skipped.
      await sql`set local session_replication_role = replica`.execute(tx);
      await loadDemoAppeals(tx, c.id, APPEALS, WORDS);
    });
    const loadS = (performance.now() - t0) / 1000;
    // What autovacuum would have done on a table that grew over a year: statistics and the
    // visibility map (index-only scans need it).
    const t1 = performance.now();
    await sql`vacuum (analyze) appeals, appeal_events`.execute(db);
    return { loadS, vacuumS: (performance.now() - t1) / 1000 };
  } finally {
    await db.destroy();
  }
}

type Timing = { requests: number; errors: number; p50: number; p99: number; mean: number; max: number; bytes: number; serverCpuMs: number; pgCpuMs: number };

/** Sequential GETs of `path` for `seconds` (bounded by MAX_REQUESTS): one leader at a time. */
async function measure(server: Server, client: Client, path: string, seconds: number): Promise<Timing> {
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const r = await client.request(path);
    if (r.status !== 200) throw new Error(`warm-up: GET ${path} answered ${r.status}`);
  }
  const ms: number[] = [];
  const cpu0 = { node: cpuMs([server.pid!]), pg: cpuMs(postgresPids(server.dataDir)) };
  let errors = 0;
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && ms.length < MAX_REQUESTS) {
    const t = performance.now();
    const r = await client.request(path);
    ms.push(performance.now() - t);
    if (r.status !== 200) errors++;
    bytes = r.text.length;
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  const serverCpuMs = round((cpuMs([server.pid!]) - cpu0.node) / ms.length);
  const pgCpuMs = round((cpuMs(postgresPids(server.dataDir)) - cpu0.pg) / ms.length);
  return { requests: ms.length, errors, p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)), mean: round(ms.reduce((a, b) => a + b, 0) / ms.length), max: round(Math.max(...ms)), bytes, serverCpuMs, pgCpuMs };
}

export async function appealsDashboard(): Promise<Record<string, unknown>> {
  const seconds = durationSeconds();
  const dir = await makeDataDir();
  try {
    log(`appeals-dashboard: starting CityDesk on ${dir} (demo without its year of appeals)`);
    const { server } = await Server.start(dir, 'server', 120_000, { CITYDESK_DEMO_APPEALS: 'false' });
    try {
      log(`appeals-dashboard: generating ${APPEALS} appeals…`);
      const { loadS, vacuumS } = await withTimeout(loadMillion(server), 10 * 60_000, 'generating the appeals');
      log(`appeals-dashboard: generated in ${loadS.toFixed(1)} s, vacuum analyze ${vacuumS.toFixed(1)} s`);
      const leader = new Client(server.origin);
      await leader.staffLogin('', LEADER, DEMO_PASSWORD);
      const today = new Date().toISOString().slice(0, 10);
      const yearAgo = new Date(Date.now() - 366 * 86400_000).toISOString().slice(0, 10);
      const load = hostLoad();
      // The page as it opens (the last 90 days), then the whole year: every one of the million.
      const quarter = await measure(server, leader, '/console/appeals/dashboard', seconds);
      log(`appeals-dashboard: last 90 days ${JSON.stringify(quarter)}`);
      const year = await measure(server, leader, `/console/appeals/dashboard?from=${yearAgo}&to=${today}`, seconds);
      log(`appeals-dashboard: whole year ${JSON.stringify(year)}`);
      if (!server.alive) throw new Error('the server died during the run');
      return {
        scenario: 'appeals-dashboard',
        appeals: APPEALS,
        generate_s: Math.round(loadS * 10) / 10,
        vacuum_analyze_s: Math.round(vacuumS * 10) / 10,
        duration_s: seconds,
        quarter_requests: quarter.requests,
        quarter_p50_ms: quarter.p50,
        quarter_p99_ms: quarter.p99,
        quarter_server_cpu_ms: quarter.serverCpuMs,
        quarter_postgres_cpu_ms: quarter.pgCpuMs,
        year_requests: year.requests,
        year_p50_ms: year.p50,
        year_p99_ms: year.p99,
        year_max_ms: year.max,
        year_server_cpu_ms: year.serverCpuMs,
        year_postgres_cpu_ms: year.pgCpuMs,
        errors: quarter.errors + year.errors,
        body_bytes: year.bytes,
        ...load,
        target_p99_ms: 300,
      };
    } finally {
      const s = await server.stop();
      log(`appeals-dashboard: server stopped in ${s.toFixed(2)} s`);
    }
  } finally {
    await removeDataDir(dir);
  }
}
