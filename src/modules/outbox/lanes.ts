// The outbox's delivery lanes: one per channel (e-mail, SMS, Telegram bot, web push). A lane takes the
// most urgent due message, sends it through the channel's gateway and records the outcome,
// never faster than the channel's configured rate, with a few sends in flight at once.
//
// One process drives a lane at a time: it holds a session advisory lock on its own
// connection, so the rate is the deployment's, not each process's, and a process that dies
// lets go of its lanes with its connection. A message is marked 'sending' at its slot, just
// before its request leaves; 'sending' rows found by the next holder were in flight when the
// last one died. Whether they arrived nobody knows (no gateway here has an idempotency key):
// they become 'unknown', are never re-sent blindly, and the console offers to send them
// again. Their number is at most the lane's concurrency. See README.md.
import pg from 'pg';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { withSystem, type Db } from '../../db/db.ts';
import { GatewayError, type Gateways } from './gateways.ts';
import { messageText, type OutboxChannel } from './service.ts';

// The order is the lanes' advisory-lock keys: new channels go at the end.
export const OUTBOX_CHANNELS: OutboxChannel[] = ['email', 'sms', 'telegram', 'webpush'];

/** Messages per second per channel. */
export type LaneRates = Record<OutboxChannel, number>;

export const RETRY = { baseSeconds: 10, maxSeconds: 900, maxAttempts: 8 };
const backoff = (attempt: number) => Math.min(RETRY.maxSeconds, RETRY.baseSeconds * 2 ** Math.max(0, attempt - 1));
const IDLE_MS = 200;
const LOCK_CLASS = 7272;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How many sends a lane keeps in flight: enough to reach its rate against a gateway that
 * takes a few hundred milliseconds to answer. */
export const laneConcurrency = (rate: number) => Math.min(32, Math.max(2, Math.ceil(rate / 4)));

/**
 * When each send of a lane may leave. Evenly spaced at the rate, and never more sends than the
 * rate allows in any window of one second (N sends in N/rate seconds for rates under one a
 * second), which is how providers count. A lane that fell behind (a slow claim, a busy machine,
 * a timer that fired late) takes the slots it lost in the last second as far as that rule lets
 * it, instead of spacing on from its late send and losing them all.
 */
export class Pacer {
  readonly #interval: number;
  readonly #window: number;
  /** The last N sends' times, oldest at #i. */
  readonly #sent: number[];
  #i = 0;
  #next = -Infinity;

  constructor(rate: number) {
    const n = Math.max(1, Math.round(rate));
    this.#interval = 1000 / rate;
    this.#window = (n * 1000) / rate;
    this.#sent = new Array<number>(n).fill(-Infinity);
  }

  /** Takes the next send's slot: the time (ms) it may leave, never before `now` or `notBefore`. */
  take(now: number, notBefore = 0): number {
    const due = Math.max(this.#next, now - this.#window, this.#sent[this.#i] + this.#window);
    const at = Math.max(due, now, notBefore);
    this.#next = Math.max(due, notBefore) + this.#interval;
    this.#sent[this.#i] = at;
    this.#i = (this.#i + 1) % this.#sent.length;
    return at;
  }
}

type Row = { id: string; community_id: string; recipient: string; subject: string | null; body: string | null; attempts: number; priority: number };

export type Lanes = { stop: () => Promise<void> };

export function startLanes(deps: { url: string; db: Db; gateways: Gateways; rates: LaneRates; log: Logger }): Lanes {
  let stopped = false;
  let client: pg.Client | null = null;
  const held = new Set<OutboxChannel>();

  /** The lock connection; lost with its locks when the database goes away. */
  async function lockClient(): Promise<pg.Client> {
    if (client) return client;
    const c = new pg.Client({ connectionString: deps.url });
    c.on('error', () => {
      held.clear();
      if (client === c) client = null;
    });
    await c.connect();
    client = c;
    return c;
  }

  async function takeLane(channel: OutboxChannel): Promise<boolean> {
    if (held.has(channel)) return true;
    const c = await lockClient();
    const r = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LOCK_CLASS, OUTBOX_CHANNELS.indexOf(channel)]);
    if (!r.rows[0].ok) return false;
    held.add(channel);
    // Whatever this lane had in flight belonged to a process that is gone.
    const lost = await withSystem(deps.db, (tx) => tx.updateTable('outbox_messages')
      .set({ status: 'unknown', claimed_until: null, last_error: 'in flight when its worker stopped' })
      .where('channel', '=', channel).where('status', '=', 'sending').executeTakeFirst());
    if (Number(lost.numUpdatedRows)) deps.log.warn({ channel, messages: Number(lost.numUpdatedRows) }, 'outbox: messages in flight at a crash are now "unknown"');
    return true;
  }

  /** Takes up to `n` due messages of the lane, most urgent first, marking them 'sending'. */
  const claim = (channel: OutboxChannel, n: number) =>
    withSystem(deps.db, async (tx) => {
      const r = await sql<Row>`
        update outbox_messages m set status = 'sending', claimed_until = now() + interval '1 minute', attempts = attempts + 1
        where id in (select id from outbox_messages where channel = ${channel} and status = 'pending' and next_attempt_at <= now()
                     order by priority desc, next_attempt_at limit ${n} for update skip locked)
        returning id, community_id, recipient, ${messageText.subject} as subject, ${messageText.body} as body, attempts, priority, next_attempt_at`.execute(tx);
      // The order of the sub-select, which an UPDATE ... RETURNING does not keep.
      return (r.rows as (Row & { next_attempt_at: Date })[]).sort((a, b) => b.priority - a.priority || +a.next_attempt_at - +b.next_attempt_at);
    });

  const record = (id: string, set: Record<string, unknown>) =>
    withSystem(deps.db, (tx) => tx.updateTable('outbox_messages').set({ claimed_until: null, ...set }).where('id', '=', id).where('status', '=', 'sending').execute());

  async function send(channel: OutboxChannel, m: Row): Promise<number | undefined> {
    const gateway = deps.gateways[channel]!;
    if (m.body === null) {
      // Its shared text is gone (nothing deletes texts; a restore of part of a database could).
      await record(m.id, { status: 'failed', last_error: 'the message has no text' });
      return undefined;
    }
    try {
      const providerId = await gateway.send({ id: m.id, communityId: m.community_id, recipient: m.recipient, subject: m.subject, body: m.body, urgent: m.priority > 0 });
      await record(m.id, { status: 'sent', sent_at: sql`now()`, provider_id: providerId, last_error: null });
      return undefined;
    } catch (err) {
      const e = err instanceof GatewayError ? err : new GatewayError(String((err as Error).message));
      const lastError = e.message.slice(0, 500);
      if (e.opts.permanent || (e.opts.retryAfter === undefined && m.attempts >= RETRY.maxAttempts)) {
        await record(m.id, { status: 'failed', last_error: lastError });
        return undefined;
      }
      // The provider said when to come back: this message, and the whole lane, wait until then.
      const wait = e.opts.retryAfter ?? backoff(m.attempts);
      await record(m.id, { status: 'pending', last_error: lastError, next_attempt_at: sql`now() + make_interval(secs => ${wait})` });
      return e.opts.retryAfter;
    }
  }

  async function lane(channel: OutboxChannel) {
    const rate = deps.rates[channel];
    const pacer = new Pacer(rate);
    const concurrency = laneConcurrency(rate);
    let pausedUntil = 0;
    const slot = async () => {
      const at = pacer.take(Date.now(), pausedUntil);
      if (at > Date.now()) await sleep(at - Date.now());
    };
    /** Sends what is due, paced, with up to `concurrency` requests out; returns when the lane
     * has nothing due (or the process stops, or lost its lock). A message is taken at its
     * slot, right before its request leaves, so 'sending' means "the request is out". */
    const drain = async () => {
      const inFlight = new Set<Promise<void>>();
      while (!stopped && held.has(channel)) {
        await slot();
        const [m] = await claim(channel, 1);
        if (!m) break;
        const p: Promise<void> = send(channel, m).then((retryAfter) => {
          if (retryAfter) pausedUntil = Math.max(pausedUntil, Date.now() + retryAfter * 1000);
        }).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    };
    while (!stopped) {
      try {
        if (!(await takeLane(channel))) {
          await sleep(1000);
          continue;
        }
        if (!deps.gateways[channel]) {
          // Not connected: messages are kept as "held", shown in the console's outbox.
          await withSystem(deps.db, (tx) => tx.updateTable('outbox_messages').set({ status: 'held' })
            .where('channel', '=', channel).where('status', '=', 'pending').where('next_attempt_at', '<=', new Date()).execute());
          await sleep(IDLE_MS * 2);
          continue;
        }
        await drain();
        if (!stopped) await sleep(IDLE_MS);
      } catch (err) {
        if (stopped) return;
        deps.log.error({ err: { message: (err as Error).message }, channel }, 'outbox lane error');
        await sleep(1000);
      }
    }
  }

  const running = OUTBOX_CHANNELS.map((c) => lane(c));
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(running);
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
