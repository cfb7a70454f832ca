// A load generator for POSTs that must each be told apart, run as its own process:
// `node --import tsx bench/lib/post-load.ts '<json options>'`. Every request carries its own
// Idempotency-Key, like a real integration. Unlike autocannon it stops *starting* requests
// at the end of the run and waits for the ones in flight, so the acknowledged count can be
// compared exactly with the rows in the database. Prints one JSON object on stdout.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

type Options = { url: string; headers: Record<string, string>; body: string; connections: number; seconds: number; keyPrefix: string; maxInFlightMs: number };

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
const target = new URL(opts.url);

type Reply = { status: number; body: string };

function post(key: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', agent, timeout: opts.maxInFlightMs,
        headers: { ...opts.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(opts.body), 'idempotency-key': key } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

const latencies: number[] = [];
const numbers: string[] = [];
const statuses: Record<string, number> = {};
let socketErrors = 0;
let sent = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const end = t0 + opts.seconds * 1000;
const perSecond = new Array<number>(opts.seconds).fill(0);

async function connection(c: number): Promise<void> {
  // Bounded: no new request after the end of the run; each request is bounded by its timeout.
  for (let i = 0; performance.now() < end; i++) {
    const key = `${opts.keyPrefix}-${c}-${i}`;
    sent++;
    const t = performance.now();
    try {
      const r = await post(key);
      const done = performance.now();
      latencies.push(done - t);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status >= 200 && r.status < 300) {
        numbers.push((JSON.parse(r.body) as { number: string }).number);
        const s = Math.floor((done - t0) / 1000);
        if (s < perSecond.length) perSecond[s]++;
      }
    } catch {
      socketErrors++;
    }
  }
}

await Promise.all(Array.from({ length: opts.connections }, (_, c) => connection(c)));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
agent.destroy();
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] : null);
process.stdout.write(
  `${JSON.stringify({ sent, acknowledged: numbers.length, statuses, socketErrors, elapsed, perSecond, p50: pct(50), p99: pct(99), max: pct(100), mean: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1), cpuMs: (cpu.user + cpu.system) / 1000, numbers })}\n`,
);
