// `outage-page-surge`: the portal's outages page under a crisis surge (64 connections).
// `outage-lookup`: "is my address affected?" with 50,000 buildings in the register: p50/p99
// of the page's answer for random real addresses, one request at a time.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { hostLoad, httpGet, log, makeDataDir, removeDataDir, Server, withTimeout } from '../lib/server.ts';
import { autocannon, errorsOf, warmUp } from '../lib/autocannon.ts';
import { durationSeconds, percentile } from '../lib/stats.ts';

const BUILDINGS = 50_000;
const LOOKUPS = 2_000;

async function withServer<T>(name: string, fn: (server: Server) => Promise<T>): Promise<T> {
  const dir = await makeDataDir();
  try {
    const { server, started } = await Server.start(dir, 'server', 180_000, { CITYDESK_DEMO_APPEALS: 'false' });
    log(`${name}: ready in ${started.readyS.toFixed(2)} s at ${server.origin}`);
    try {
      return await fn(server);
    } finally {
      await server.stop();
    }
  } finally {
    await removeDataDir(dir);
  }
}

export const outagePageSurge = () => withServer('outage-page-surge', async (server) => {
  const seconds = durationSeconds();
  const url = `${server.origin}/uk/outages`;
  const { bodyBytes } = await withTimeout(warmUp(url), 120_000, 'warm-up');
  const load = hostLoad();
  const r = await autocannon(url, 64, seconds);
  if (!server.alive) throw new Error('the server died during the load');
  return {
    scenario: 'outage-page-surge', url: '/uk/outages', connections: 64, duration_s: seconds,
    requests_per_s: Math.round(r.requests.average * 10) / 10, latency_p50_ms: r.latency.p50, latency_p99_ms: r.latency.p99,
    errors: errorsOf(r), body_bytes: bodyBytes, ...load, target_rps: 3000, target_p99_ms: 50,
  };
});

/** Grows the demo city's register to BUILDINGS houses (numbers along its existing streets). */
async function growRegister(url: string): Promise<{ buildings: number; addresses: string[] }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const c = (await db.query(`select id from communities where slug = 'zelenodolsk'`)).rows[0].id as string;
    const have = Number((await db.query('select count(*) from buildings where community_id = $1', [c])).rows[0].count);
    await db.query(`
      with s as (select id, row_number() over (order by key) as i, count(*) over () as n from streets where community_id = $1),
      want as (select g from generate_series(1, $2::int) g)
      insert into buildings (community_id, street_id, number, number_key)
      select $1, s.id, (1000 + (w.g / s.n))::text, (1000 + (w.g / s.n))::text
      from want w join s on s.i = (w.g % s.n) + 1
      on conflict do nothing`, [c, Math.max(0, BUILDINGS - have)]);
    const buildings = Number((await db.query('select count(*) from buildings where community_id = $1', [c])).rows[0].count);
    const sample = await db.query(`select s.names->>'uk' as street, b.number from buildings b join streets s on s.id = b.street_id where b.community_id = $1 order by random() limit 500`, [c]);
    await db.query('analyze buildings');
    return { buildings, addresses: sample.rows.map((r) => `${r.street} ${r.number}`) };
  } finally {
    await db.end();
  }
}

export const outageLookup = () => withServer('outage-lookup', async (server) => {
  const { buildings, addresses } = await growRegister(server.databaseUrl);
  log(`outage-lookup: ${buildings} buildings; ${LOOKUPS} lookups of random addresses`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let bad = 0;
  const url = (i: number) => `${server.origin}/uk/outages?q=${encodeURIComponent(addresses[i % addresses.length])}`;
  try {
    for (let i = 0; i < 100; i++) await httpGet(url(i), 10_000, agent); // warm-up
    const load = hostLoad();
    for (let i = 0; i < LOOKUPS; i++) {
      const t0 = performance.now();
      const r = await httpGet(url(i), 10_000, agent);
      times.push(performance.now() - t0);
      if (r.status !== 200) bad++;
    }
    const round = (x: number) => Math.round(x * 10) / 10;
    return { scenario: 'outage-lookup', buildings, lookups: LOOKUPS, latency_p50_ms: round(percentile(times, 50)), latency_p99_ms: round(percentile(times, 99)), errors: bad, ...load, target_p99_ms: 20 };
  } finally {
    agent.destroy();
  }
});
