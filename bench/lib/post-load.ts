// A load generator for POSTs that must each be told apart, run as its own process:
// `node --import tsx bench/lib/post-load.ts '<json options>'`. Every request carries its own
// Idempotency-Key, like a real integration. Unlike autocannon it stops *starting* requests
// at the end of the run and waits for the ones in flight, so the acknowledged count can be
// compared exactly with the rows in the database. Prints one JSON object on stdout.
//
// It shares the machine's two cores with the server and PostgreSQL, so it is kept lean: each
// connection is a plain keep-alive socket that writes a ready-made request and reads the reply
// by its Content-Length (or chunks), like autocannon, instead of node's http client.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

type Options = { url: string; headers: Record<string, string>; body: string; connections: number; seconds: number; keyPrefix: string; maxInFlightMs: number };

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const target = new URL(opts.url);
const body = Buffer.from(opts.body);
const head = [
  `POST ${target.pathname}${target.search} HTTP/1.1`,
  `host: ${target.host}`,
  'connection: keep-alive',
  'content-type: application/json',
  `content-length: ${body.length}`,
  ...Object.entries(opts.headers).map(([k, v]) => `${k}: ${v}`),
].join('\r\n');
const request = (key: string) => Buffer.concat([Buffer.from(`${head}\r\nidempotency-key: ${key}\r\n\r\n`), body]);

type Reply = { status: number; body: string };

/** One keep-alive connection: one request at a time, its reply parsed from the byte stream. */
class Connection {
  #socket: net.Socket | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;

  post(key: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error('timeout')), opts.maxInFlightMs);
      this.#waiting = { resolve, reject, timer };
      this.#connected().write(request(key));
    });
  }

  close() {
    this.#socket?.destroy();
  }

  #connected(): net.Socket {
    if (this.#socket) return this.#socket;
    const socket = net.connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      if (this.#socket !== socket) return;
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, d]) : d;
      this.#parse();
    });
    // A socket dropped earlier (after `connection: close`) reports nothing about the next one.
    socket.on('error', (e) => this.#socket === socket && this.#fail(e));
    socket.on('close', () => this.#socket === socket && this.#fail(new Error('connection closed')));
    return (this.#socket = socket);
  }

  #parse() {
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.#waiting) return;
    const lines = this.#buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const header = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    let text: string;
    let rest: Buffer;
    const length = header('content-length');
    if (length !== undefined) {
      if (this.#buffer.length < end + 4 + Number(length)) return;
      text = this.#buffer.subarray(end + 4, end + 4 + Number(length)).toString('utf8');
      rest = this.#buffer.subarray(end + 4 + Number(length));
    } else if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      let at = end + 4;
      for (;;) {
        const eol = this.#buffer.indexOf('\r\n', at);
        if (eol < 0) return;
        const size = parseInt(this.#buffer.subarray(at, eol).toString('latin1'), 16);
        if (this.#buffer.length < eol + 2 + size + 2) return;
        if (size === 0) {
          at = eol + 4;
          break;
        }
        parts.push(this.#buffer.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      text = Buffer.concat(parts).toString('utf8');
      rest = this.#buffer.subarray(at);
    } else {
      return this.#fail(new Error('reply without a length'));
    }
    this.#buffer = rest;
    const w = this.#waiting;
    this.#waiting = null;
    clearTimeout(w.timer);
    if (header('connection')?.toLowerCase() === 'close') this.#drop();
    w.resolve({ status, body: text });
  }

  #drop() {
    this.#socket?.destroy();
    this.#socket = null;
    this.#buffer = Buffer.alloc(0);
  }

  #fail(e: Error) {
    this.#drop();
    const w = this.#waiting;
    this.#waiting = null;
    if (w) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  }
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
  const conn = new Connection();
  // Bounded: no new request after the end of the run; each request is bounded by its timeout.
  for (let i = 0; performance.now() < end; i++) {
    const key = `${opts.keyPrefix}-${c}-${i}`;
    sent++;
    const t = performance.now();
    try {
      const r = await conn.post(key);
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
  conn.close();
}

await Promise.all(Array.from({ length: opts.connections }, (_, c) => connection(c)));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] : null);
process.stdout.write(
  `${JSON.stringify({ sent, acknowledged: numbers.length, statuses, socketErrors, elapsed, perSecond, p50: pct(50), p99: pct(99), max: pct(100), mean: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1), cpuMs: (cpu.user + cpu.system) / 1000, numbers })}\n`,
);
