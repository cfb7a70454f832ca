// Starting and stopping a real CityDesk (`node --import tsx src/main.ts`) for the benchmarks:
// free ports, a throw-away data folder, readiness polling, memory figures from /proc, and
// cleanup of every child (and the embedded PostgreSQL it starts) on any exit path.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST = '127.0.0.1';

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Rejects when `p` takes longer than `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------
// Everything started here, so that any exit path can clean it up.

const servers = new Set<Server>();
const children = new Set<ChildProcess>();
const dataDirs = new Set<string>();

/** Tracks a helper child (e.g. the load generator) so that it is killed on exit. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function makeDataDir(): Promise<string> {
  // The folder itself is the data folder: CityDesk hands it to the `postgres` user.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-bench-'));
  dataDirs.add(dir);
  return dir;
}

export async function removeDataDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  dataDirs.delete(dir);
}

/** Stops everything still running (gracefully first, bounded) and removes the data folders. */
export async function cleanupAll(): Promise<void> {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all([...servers].map((s) => s.stop(20_000).catch((e) => log(`cleanup: ${String(e)}`))));
  for (const d of [...dataDirs]) await removeDataDir(d).catch((e) => log(`cleanup: cannot remove ${d}: ${String(e)}`));
}

/** Last resort when the process exits without cleanupAll (synchronous: kill hard, remove folders). */
function cleanupSync(): void {
  for (const c of children) safeKill(c.pid, 'SIGKILL');
  for (const s of servers) {
    safeKill(s.pid, 'SIGKILL');
    for (const pid of postgresPids(s.dataDir)) safeKill(pid, 'SIGKILL');
  }
  for (const d of dataDirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      /* nothing more to do */
    }
  }
}

let signalled = false;
function onSignal(sig: NodeJS.Signals, code: number) {
  if (signalled) {
    cleanupSync();
    process.exit(code);
  }
  signalled = true;
  log(`${sig}: stopping servers and removing data folders…`);
  withTimeout(cleanupAll(), 30_000, 'cleanup')
    .catch((e) => log(String(e)))
    .finally(() => {
      cleanupSync();
      process.exit(code);
    });
}
process.on('SIGINT', () => onSignal('SIGINT', 130));
process.on('SIGTERM', () => onSignal('SIGTERM', 143));
process.on('SIGHUP', () => onSignal('SIGHUP', 129));
process.on('exit', cleanupSync);

function safeKill(pid: number | undefined, sig: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

// ---------------------------------------------------------------------------------------
// /proc helpers (Linux).

type ProcInfo = { pid: number; ppid: number; cmdline: string };

function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ..." — comm may hold spaces or parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), ppid, cmdline });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** The embedded PostgreSQL of `dataDir`: the postmaster (its command line names the folder)
 * and all its descendants (backends, checkpointer, …). */
export function postgresPids(dataDir: string): number[] {
  const procs = listProcs();
  const found = new Set(procs.filter((p) => p.pid !== process.pid && p.cmdline.includes(`${dataDir}/pg`)).map((p) => p.pid));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/** A field of /proc/<pid>/status in kB (VmHWM, VmRSS…), or null. */
export function statusKb(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function pssKb(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) used so far by these processes and by their children that have
 * exited (PostgreSQL's parallel workers are reaped by the postmaster), ms. Unlike a rate, it
 * does not drop when other work shares the machine. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime, stime, cutime, cstime (fields 14–17)
    } catch {
      /* exited meanwhile */
    }
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** How busy the machine is: other work on the same CPUs skews every figure here. */
export function hostLoad(): { host_cpus: number; load_avg_1m: number } {
  return { host_cpus: os.availableParallelism?.() ?? os.cpus().length, load_avg_1m: Math.round(os.loadavg()[0] * 100) / 100 };
}

export const mb = (kb: number | null) => (kb === null ? null : Math.round((kb / 1024) * 10) / 10);

/** Memory of the embedded PostgreSQL: summed VmRSS (shared buffers counted once per process)
 * and summed Pss (shared pages split between the processes that map them). */
export function postgresMemory(dataDir: string): { pids: number; rssKb: number | null; pssKb: number | null } {
  const pids = postgresPids(dataDir);
  if (!pids.length) return { pids: 0, rssKb: null, pssKb: null };
  let rss = 0;
  let pss = 0;
  let pssOk = true;
  for (const pid of pids) {
    rss += statusKb(pid, 'VmRSS') ?? 0;
    const p = pssKb(pid);
    if (p === null) pssOk = false;
    else pss += p;
  }
  return { pids: pids.length, rssKb: rss, pssKb: pssOk ? pss : null };
}

// ---------------------------------------------------------------------------------------
// Ports and HTTP.

/** Two distinct free TCP ports on 127.0.0.1 (held open together so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const held: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, HOST, () => resolve());
      });
      held.push(s);
    }
    return held.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

export type HttpResult = { status: number; bytes: number };

/** One GET with a hard timeout; resolves with the status and body size. */
export function httpGet(url: string, timeoutMs: number, agent?: http.Agent): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: agent ?? false, timeout: timeoutMs }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------
// The server.

export type Started = {
  /** Seconds from spawn until GET /readyz answered 200. */
  readyS: number;
  /** VmHWM (peak resident set) of the node process, read right after ready. */
  peakRssKb: number | null;
  /** The embedded PostgreSQL's memory at that moment. */
  pg: ReturnType<typeof postgresMemory>;
};

const READY_POLL_MS = 50;
/** Server log lines (pino JSON with whole pg clients in them) are cut to this length on stderr. */
const MAX_LINE = 400;

export class Server {
  readonly child: ChildProcess;
  readonly origin: string;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrTail = '';
  /** The start of what the server printed on stdout (the demo banner with its Open311 key). */
  private stdoutHead = '';
  private stopping: Promise<number> | null = null;

  private constructor(readonly dataDir: string, readonly port: number, readonly pgPort: number, private readonly t0: number, label: string, extraEnv: NodeJS.ProcessEnv) {
    this.origin = `http://${HOST}:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST,
      CITYDESK_DATA_DIR: dataDir,
      CITYDESK_PG_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
      CITYDESK_DEMO: 'auto', // the first start loads the demo communities, as documented
      ...extraEnv,
    };
    delete env.DATABASE_URL; // always the embedded PostgreSQL in the throw-away folder
    delete env.CITYDESK_PUBLIC_URL;
    // BENCH_NODE_ARGS: extra options for the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: a Ctrl-C reaches only us, and we stop it in order
    });
    const forward = (stream: NodeJS.ReadableStream | null, keepTail: boolean) => {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (d: string) => {
        if (keepTail) this.stderrTail = (this.stderrTail + d).slice(-4000);
        else if (this.stdoutHead.length < 20_000) this.stdoutHead += d;
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          process.stderr.write(`[${label}] ${line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${line.length} chars)` : line}\n`);
          buf = buf.slice(i + 1);
        }
      });
      stream?.on('end', () => buf && process.stderr.write(`[${label}] ${buf}\n`));
    };
    forward(this.child.stdout, false);
    forward(this.child.stderr, true);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.once('error', (e) => {
        this.stderrTail += `\nspawn failed: ${e.message}`;
        resolve({ code: null, signal: null });
      });
    });
    // Stays listed until stop() has also made sure its PostgreSQL is gone.
    servers.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** What the server printed on stdout so far (its first 20 kB). */
  get stdout(): string {
    return this.stdoutHead;
  }

  /** The embedded PostgreSQL's database, as its owner (the bench reads figures and loads data). */
  get databaseUrl(): string {
    return `postgres://postgres:citydesk-local@${HOST}:${this.pgPort}/citydesk`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns CityDesk on free ports with `dataDir` and waits (bounded) until /readyz says 200. */
  static async start(dataDir: string, label: string, readyTimeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Promise<{ server: Server; started: Started }> {
    const [port, pgPort] = await freePorts(2);
    const t0 = performance.now();
    const server = new Server(dataDir, port, pgPort, t0, label, env);
    try {
      const started = await server.waitReady(readyTimeoutMs);
      return { server, started };
    } catch (e) {
      await server.stop(20_000).catch(() => {});
      throw e;
    }
  }

  private async waitReady(timeoutMs: number): Promise<Started> {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    this.exited.then((e) => (exit = e));
    const deadline = this.t0 + timeoutMs;
    for (;;) {
      if (exit) {
        const e = exit as { code: number | null; signal: NodeJS.Signals | null };
        throw new Error(`CityDesk exited before ready (code ${e.code}, signal ${e.signal}):\n${this.stderrTail}`);
      }
      const tick = performance.now();
      const ok = await httpGet(`${this.origin}/readyz`, 1000).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) {
        const now = performance.now();
        const pid = this.child.pid!;
        return { readyS: (now - this.t0) / 1000, peakRssKb: statusKb(pid, 'VmHWM'), pg: postgresMemory(this.dataDir) };
      }
      if (performance.now() > deadline) throw new Error(`CityDesk not ready within ${Math.round(timeoutMs / 1000)} s:\n${this.stderrTail}`);
      await sleep(Math.max(0, READY_POLL_MS - (performance.now() - tick)));
    }
  }

  /** SIGTERM, then waits (bounded) for the exit; kills hard after the bound, PostgreSQL too.
   * Resolves with the seconds the graceful stop took. */
  stop(timeoutMs = 30_000): Promise<number> {
    this.stopping ??= (async () => {
      const t = performance.now();
      if (this.alive) {
        this.child.kill('SIGTERM');
        const graceful = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
        if (!graceful) {
          log(`server pid ${this.pid} did not stop within ${Math.round(timeoutMs / 1000)} s; killing it`);
          this.child.kill('SIGKILL');
          await Promise.race([this.exited, sleep(5000)]);
        }
      }
      const seconds = (performance.now() - t) / 1000;
      // CityDesk stops its PostgreSQL on SIGTERM; make sure nothing of it is left behind.
      for (let i = 0; i < 100 && postgresPids(this.dataDir).length; i++) await sleep(100);
      const left = postgresPids(this.dataDir);
      if (left.length) {
        log(`PostgreSQL of ${this.dataDir} still running (pids ${left.join(', ')}); stopping it`);
        for (const pid of left) safeKill(pid, 'SIGQUIT');
        for (let i = 0; i < 50 && postgresPids(this.dataDir).length; i++) await sleep(100);
        for (const pid of postgresPids(this.dataDir)) safeKill(pid, 'SIGKILL');
      }
      servers.delete(this);
      return seconds;
    })();
    return this.stopping;
  }
}
