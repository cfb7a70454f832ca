// `portal-home`: throughput and latency of the public portal's home page (/uk/, anonymous,
// no cookies) under 32 keep-alive connections, measured by autocannon in its own process.
import { hostLoad, log, makeDataDir, removeDataDir, Server, statusKb, mb, withTimeout } from '../lib/server.ts';
import { autocannon, errorsOf, warmUp } from '../lib/autocannon.ts';
import { durationSeconds } from '../lib/stats.ts';

const PATH = '/uk/';
const CONNECTIONS = 32;

export async function portalHome(): Promise<Record<string, unknown>> {
  const seconds = durationSeconds();
  const dir = await makeDataDir();
  try {
    log(`portal-home: starting CityDesk on ${dir}`);
    const { server, started } = await Server.start(dir, 'server');
    try {
      log(`portal-home: ready in ${started.readyS.toFixed(2)} s at ${server.origin}`);
      const url = `${server.origin}${PATH}`;
      const { bodyBytes } = await withTimeout(warmUp(url), 120_000, 'warm-up');
      log(`portal-home: warmed up with 200 requests (body ${bodyBytes} bytes); load: ${CONNECTIONS} connections for ${seconds} s`);
      const load = hostLoad();
      const r = await autocannon(url, CONNECTIONS, seconds);
      const rss = statusKb(server.pid!, 'VmRSS');
      log(
        `portal-home: ${r.requests.total} responses (${JSON.stringify(Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])))}), ` +
          `latency avg ${r.latency.average} ms max ${r.latency.max} ms, server RSS after load ${mb(rss)} MB`,
      );
      if (server.alive === false) throw new Error('the server died during the load');
      return {
        scenario: 'portal-home',
        url: PATH,
        connections: CONNECTIONS,
        duration_s: seconds,
        requests_per_s: Math.round(r.requests.average * 10) / 10,
        latency_p50_ms: r.latency.p50,
        latency_p99_ms: r.latency.p99,
        errors: errorsOf(r),
        bytes_per_response: r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total) : null,
        body_bytes: bodyBytes,
        ...load,
        target_rps: 3000,
        target_p99_ms: 30,
      };
    } finally {
      const s = await server.stop();
      log(`portal-home: server stopped in ${s.toFixed(2)} s`);
    }
  } finally {
    await removeDataDir(dir);
  }
}
