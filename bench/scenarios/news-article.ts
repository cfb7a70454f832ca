// `news-article` (and the shared runner of `news-list`): throughput and latency of the public
// news site with the demo's 4,000 materials, anonymous, 32 keep-alive connections, measured by
// autocannon in its own process. The article is the newest one with a cover (the page a crisis
// surge of readers opens from a shared link).
import { hostLoad, log, makeDataDir, removeDataDir, Server, statusKb, mb, withTimeout } from '../lib/server.ts';
import { durationSeconds } from '../lib/stats.ts';
import { autocannon, errorsOf, warmUp } from '../lib/autocannon.ts';

const CONNECTIONS = 32;

/** First article link of the news list (the newest with a cover). */
async function newestArticle(origin: string): Promise<string> {
  const res = await fetch(`${origin}/uk/news`);
  const body = await res.text();
  const m = /<li class="with-cover">[\s\S]*?<a href="(\/uk\/news\/[^"]+)"/.exec(body);
  if (res.status !== 200 || !m) throw new Error(`the news list shows no article with a cover (status ${res.status}): is the demo news loaded?`);
  return m[1];
}

/** Starts CityDesk with the demo, warms `path` up, loads it for BENCH_DURATION seconds. */
export async function newsScenario(name: string, pick: (origin: string) => Promise<string>): Promise<Record<string, unknown>> {
  const seconds = durationSeconds();
  const dir = await makeDataDir();
  try {
    log(`${name}: starting CityDesk on ${dir}`);
    const { server, started } = await Server.start(dir, 'server');
    try {
      log(`${name}: ready in ${started.readyS.toFixed(2)} s`);
      const urlPath = await pick(server.origin);
      const url = `${server.origin}${urlPath}`;
      const { bodyBytes } = await withTimeout(warmUp(url), 120_000, 'warm-up');
      const load = hostLoad();
      log(`${name}: ${decodeURI(urlPath)} (${bodyBytes} bytes); ${CONNECTIONS} connections for ${seconds} s`);
      const r = await autocannon(url, CONNECTIONS, seconds);
      log(`${name}: ${r.requests.total} responses ${JSON.stringify(Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])))}, max ${r.latency.max} ms, server RSS ${mb(statusKb(server.pid!, 'VmRSS'))} MB`);
      if (server.alive === false) throw new Error('the server died during the load');
      return {
        scenario: name, url: decodeURI(urlPath), materials: 4000, connections: CONNECTIONS, duration_s: seconds,
        requests_per_s: Math.round(r.requests.average * 10) / 10, latency_p50_ms: r.latency.p50, latency_p99_ms: r.latency.p99,
        errors: errorsOf(r),
        bytes_per_response: r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total) : null,
        body_bytes: bodyBytes, ...load, target_rps: 3000, target_p99_ms: 30,
      };
    } finally {
      const s = await server.stop();
      log(`${name}: server stopped in ${s.toFixed(2)} s`);
    }
  } finally {
    await removeDataDir(dir);
  }
}

export const newsArticle = () => newsScenario('news-article', newestArticle);
