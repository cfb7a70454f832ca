import { CompiledQuery, Kysely, PostgresDialect, PostgresDriver, sql, type DatabaseConnection, type PostgresDialectConfig, type QueryResult, type TransactionSettings, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

// Return bigint (audit ids, counts) as strings; dates stay Date.
pg.types.setTypeParser(20, (v) => v);

export function createDb(url: string, poolSize: number): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {}); // an idle client lost during shutdown is not a crash
  pool.on('connect', sendPreparedByName);
  return { db: new Kysely<Database>({ dialect: new OneTripDialect({ pool }) }), pool };
}

// ---------------------------------------------------------------------------------------
// Prepared statements.
//
// A statement whose text is registered with `prepared` is sent under a name: PostgreSQL parses
// and plans it the first time a connection sends it and afterwards only binds the parameters.
// For big statements sent many times a second (appeal intake's insert) that planning cost more
// than the execution. Kysely sends text and parameters; the connection's `query` below adds the
// name when the text is a registered one.

const preparedNames = new Map<string, string>();

/** Registers `text` as a statement to prepare on every connection that sends it; returns it. */
export function prepared(text: string): string {
  if (!preparedNames.has(text)) preparedNames.set(text, `citydesk_${preparedNames.size + 1}`);
  return text;
}

function sendPreparedByName(client: pg.PoolClient): void {
  // The class's own `query`, looked up at each call (not kept from connect time).
  const query = (...args: unknown[]) => (Object.getPrototypeOf(client) as { query: (...a: unknown[]) => unknown }).query.apply(client, args);
  (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof config === 'string' && Array.isArray(values) ? preparedNames.get(config) : undefined;
    return name ? query({ name, text: config, values }, callback) : query(config, values, callback);
  };
}

// ---------------------------------------------------------------------------------------
// BEGIN in the same round trip as the transaction's first statement.
//
// Every community transaction starts with BEGIN and then the tenant's set_config: two round
// trips to PostgreSQL before any work. The driver below does not send BEGIN at once; it
// remembers it, and sends it with the transaction's first statement. When that statement is
// the tenant's set_config (no parameters: the community id is written into it, checked to be
// a uuid), both go as one simple-protocol query, `begin; select set_config(…)` — one round
// trip. Any other first statement (with parameters, which the simple protocol cannot carry)
// is sent after a BEGIN of its own, exactly as before. A transaction that ran no statement at
// all sends neither BEGIN nor COMMIT.

/** Connections whose transaction has begun in Kysely's eyes but whose BEGIN is not sent yet. */
const beginPending = new WeakSet<DatabaseConnection>();
const wrapped = new WeakSet<DatabaseConnection>();
/** The start of the tenant statement `withCommunity` sends (the only one merged with BEGIN). */
const TENANT_SQL = "select set_config('app.community_id', ";

function sendBeginFirst(connection: DatabaseConnection): void {
  const execute = connection.executeQuery.bind(connection);
  const stream = connection.streamQuery.bind(connection);
  connection.executeQuery = async <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
    if (!beginPending.delete(connection)) return execute<R>(q);
    if (q.parameters.length === 0 && q.sql.startsWith(TENANT_SQL)) {
      // Two statements in one simple query: pg answers with both results; the caller
      // (withCommunity) reads none of them.
      await execute(CompiledQuery.raw(`begin; ${q.sql}`));
      return { rows: [] };
    }
    await execute(CompiledQuery.raw('begin'));
    return execute<R>(q);
  };
  connection.streamQuery = async function* <R>(q: CompiledQuery, chunkSize?: number) {
    if (beginPending.delete(connection)) await execute(CompiledQuery.raw('begin'));
    yield* stream<R>(q, chunkSize);
  };
  wrapped.add(connection);
}

class OneTripDriver extends PostgresDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    if (!wrapped.has(connection)) sendBeginFirst(connection);
    return connection;
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel || settings.accessMode) return super.beginTransaction(connection, settings);
    beginPending.add(connection);
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (beginPending.delete(connection)) return; // nothing was sent: nothing to commit
    return super.commitTransaction(connection);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (beginPending.delete(connection)) return;
    return super.rollbackTransaction(connection);
  }
}

class OneTripDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;
  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver() {
    return new OneTripDriver(this.#config);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a transaction asked to start once it has committed (see afterCommit). */
const committed = new WeakMap<Tx, Array<(db: Db) => void>>();

/**
 * Starts `fn` right after the caller's transaction commits (withCommunity), never when it rolls
 * back. For work that a job would also do, only later: the job stays the safety net, so `fn`
 * must be idempotent with it and may fail silently.
 */
export function afterCommit(tx: Tx, fn: (db: Db) => void): void {
  const list = committed.get(tx);
  if (list) list.push(fn);
  else committed.set(tx, [fn]);
}

/**
 * Runs `fn` in a transaction that can only see and change rows of one community:
 * the role is switched to `citydesk_app`, whose row-level-security policies compare
 * every row's community_id with the transaction's `app.community_id`.
 */
export async function withCommunity<T>(db: Db, communityId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // Written into the statement (no parameter), so that it goes in one round trip with BEGIN.
  if (!UUID.test(communityId)) throw new Error(`withCommunity: not a community id: ${JSON.stringify(communityId)}`);
  let after: Array<(db: Db) => void> | undefined;
  const result = await db.transaction().execute(async (tx) => {
    await sql.raw(`${TENANT_SQL}'${communityId}', true), set_config('role', 'citydesk_app', true)`).execute(tx);
    const r = await fn(tx);
    after = committed.get(tx);
    return r;
  });
  for (const f of after ?? []) f(db);
  return result;
}

/** The same server's database `name` (a PostgreSQL URL's path; its query, e.g. a socket's
 * `host`, is kept). */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Deployment-level work (community registry, rate limits, jobs): runs as the owner role. */
export async function withSystem<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}
