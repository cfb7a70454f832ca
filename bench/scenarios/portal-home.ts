// `portal-home`: throughput and latency of the public portal's home page (/uk/, anonymous,
// no cookies) under 32 keep-alive connections, measured by autocannon in its own process.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { hostLoad, httpGet, log, makeDataDir, removeDataDir, ROOT, Server, statusKb, mb, track, withTimeout } from '../lib/server.ts';

const PATH = '/uk/';
const CONNECTIONS = 32;
const WARMUP_REQUESTS = 200;
const WARMUP_CONCURRENCY = 8;

function durationSeconds(): number {
  const raw = process.env.BENCH_DURATION;
  if (raw === undefined || raw === '') return 15;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 600) throw new Error(`BENCH_DURATION must be a whole number of seconds from 1 to 600 (got ${JSON.stringify(raw)})`);
  return n;
}

/** The fields of autocannon's JSON result used here. */
type AutocannonResult = {
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number; sent: number };
  throughput: { total: number; average: number };
  duration: number;
};

async function warmUp(url: string): Promise<{ bodyBytes: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: WARMUP_CONCURRENCY });
  let bodyBytes = 0;
  const bad: Record<number, number> = {};
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: WARMUP_CONCURRENCY }, async () => {
        while (next < WARMUP_REQUESTS) {
          next++;
          const r = await httpGet(url, 10_000, agent);
          if (r.status === 200) bodyBytes = r.bytes;
          else bad[r.status] = (bad[r.status] ?? 0) + 1;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  if (Object.keys(bad).length) throw new Error(`warm-up: GET ${PATH} did not answer 200 every time: ${JSON.stringify(bad)}`);
  return { bodyBytes };
}

/** Runs autocannon as a separate node process (so it does not share a CPU thread with the
 * server) and parses its JSON result from stdout. */
function autocannon(url: string, connections: number, seconds: number): Promise<AutocannonResult> {
  const bin = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
  const child = track(
    spawn(process.execPath, [bin, '-j', '-c', String(connections), '-d', String(seconds), url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    process.stderr.write(d);
  });
  const done = new Promise<AutocannonResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`autocannon exited with code ${code} signal ${signal}: ${err.slice(-2000)}`));
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (!line) return reject(new Error(`autocannon printed no JSON result: ${out.slice(-2000)}`));
      try {
        resolve(JSON.parse(line) as AutocannonResult);
      } catch (e) {
        reject(new Error(`autocannon output is not JSON: ${String(e)}`));
      }
    });
  });
  return withTimeout(done, (seconds + 60) * 1000, 'autocannon').catch((e) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw e;
  });
}

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
      log(`portal-home: warmed up with ${WARMUP_REQUESTS} requests (body ${bodyBytes} bytes); load: ${CONNECTIONS} connections for ${seconds} s`);
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
        errors: r.errors + r.timeouts + r.non2xx,
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
