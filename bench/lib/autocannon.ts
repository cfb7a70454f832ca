// Load from a separate process: autocannon (JSON result), after a bounded warm-up.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { httpGet, ROOT, track, withTimeout } from './server.ts';

/** The fields of autocannon's JSON result used here. */
export type AutocannonResult = {
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

/** `requests` GETs of `url` at `concurrency`; every one must answer 200. Returns the body size. */
export async function warmUp(url: string, requests = 200, concurrency = 8): Promise<{ bodyBytes: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let bodyBytes = 0;
  const bad: Record<number, number> = {};
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
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
  if (Object.keys(bad).length) throw new Error(`warm-up: GET ${url} did not answer 200 every time: ${JSON.stringify(bad)}`);
  return { bodyBytes };
}

/** Runs a node script as its own process (so it does not share a CPU thread with the
 * server), echoes its stderr, and parses the last JSON line it prints; killed if it overruns
 * `seconds` by a minute. */
export function runJsonChild<T>(args: string[], seconds: number, what: string): Promise<T> {
  const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    process.stderr.write(d);
  });
  const done = new Promise<T>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`${what} exited with code ${code} signal ${signal}: ${err.slice(-2000)}`));
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (!line) return reject(new Error(`${what} printed no JSON result: ${out.slice(-2000)}`));
      try {
        resolve(JSON.parse(line) as T);
      } catch (e) {
        reject(new Error(`${what} output is not JSON: ${String(e)}`));
      }
    });
  });
  return withTimeout(done, (seconds + 60) * 1000, what).catch((e) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw e;
  });
}

/** autocannon with `connections` for `seconds`, its JSON result. */
export const autocannon = (url: string, connections: number, seconds: number) =>
  runJsonChild<AutocannonResult>([path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js'), '-j', '-c', String(connections), '-d', String(seconds), url], seconds, 'autocannon');

export const errorsOf = (r: AutocannonResult) => r.errors + r.timeouts + r.non2xx;
