// Registrations that arrive together are written together.
//
// A call centre or a chatbot files many appeals at once through the API. Each in a transaction
// of its own costs four round trips and a commit (a WAL flush) per appeal. Here the filings of
// one community that arrive while its previous batch is being written wait for it, and then go
// in one transaction: the same one statement (fileAppeals) and one commit for all of them. A
// lone filing goes at once, so a quiet desk waits for nothing; under load a batch takes what
// arrived during the one before. Nobody is answered before their batch has committed, so an
// acknowledged number is never lost.
//
// One filing's bad input refuses that filing only (fileAppeals). Should the batch's transaction
// fail (a database error, a key filed at the same moment by another process), each of its
// filings is tried again in a transaction of its own, so one filing's trouble stays its own.
import { withCommunity, type Db } from '../../db/db.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Community } from '../communities/service.ts';
import { fileAppeals, type Filed, type Filing } from './service.ts';

/** At most this many filings in one transaction: the statement stays well under PostgreSQL's
 * 65,535 parameters (about 60 per filing) and one batch's wait short. */
export const MAX_BATCH = 100;

/** Batches of one community written at the same time: while one waits for its commit to reach
 * the disk, the next is being written. */
export const WRITERS = 2;

type Lane = { community: Community; waiting: Waiting[]; writers: number };
type Waiting = { filing: Filing; resolve: (f: Filed) => void; reject: (e: unknown) => void };

export class IntakeBatcher {
  /** Per community: the filings waiting for the next batch, and whether one is being written. */
  readonly #queues = new Map<string, Lane>();

  constructor(private readonly deps: { db: Db; queue: Queue; secret: string }) {}

  /** Registers the filing with whatever else arrives meanwhile; resolves once it has committed. */
  file(community: Community, filing: Filing): Promise<Filed> {
    let q = this.#queues.get(community.id);
    if (!q) this.#queues.set(community.id, (q = { community, waiting: [], writers: 0 }));
    q.community = community;
    const done = new Promise<Filed>((resolve, reject) => q.waiting.push({ filing, resolve, reject }));
    if (q.writers < WRITERS) void this.#write(q);
    return done;
  }

  async #write(q: Lane): Promise<void> {
    q.writers++;
    try {
      while (q.waiting.length) {
        const batch = q.waiting.splice(0, MAX_BATCH);
        await this.#one(q.community, batch);
      }
    } finally {
      q.writers--;
      if (!q.writers && !q.waiting.length) this.#queues.delete(q.community.id);
    }
  }

  async #one(community: Community, batch: Waiting[]): Promise<void> {
    const { db, queue, secret } = this.deps;
    const run = (items: Waiting[]) => withCommunity(db, community.id, (tx) => fileAppeals({ tx, queue, community, secret }, items.map((w) => w.filing)));
    let results;
    try {
      results = await run(batch);
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      // Each on its own: only the filing that cannot be written fails.
      for (const w of batch) await this.#one(community, [w]);
      return;
    }
    for (const [i, r] of results.entries()) {
      if ('error' in r) batch[i].reject(r.error);
      else batch[i].resolve(r);
    }
  }
}
