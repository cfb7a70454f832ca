/**
 * Import runs: an uploaded CSV is stored with its row count and handed to a job, which applies
 * it in batches. Each batch is one transaction with the run's progress, so a crash resumes at
 * the first row not yet committed. The registration number is the idempotency key: a row whose
 * number an earlier import already brought is skipped, so a re-run of the same file adds nothing.
 * Imported appeals are history: no message to the applicant, no reminder or escalation for a
 * target missed before CityDesk, original number, dates and status kept.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import type { Community } from '../communities/service.ts';
import type { Queue } from '../../jobs/queue.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { legalDueAt, serviceDueAt } from './deadlines.ts';
import { LEGAL_TYPES } from './schema.ts';
import { workCalendar } from './service.ts';
import { checkRow, isRejection, readImportCsv, type CategoryRef, type ImportRow, type SourceRow } from './import.ts';
import type { RejectedRow } from './import-tables.ts';

export const IMPORT_JOB = 'appeals.import';
export const IMPORT_BATCH = 250;
/** Rejected rows kept with their reasons; beyond this only the count grows. */
const MAX_REJECTED_KEPT = 2000;

/** Checks the file as a whole, stores it as a run and queues the job, in one transaction. */
export async function createImportRun(tx: Tx, queue: Queue, actor: Actor, communityId: string, file: { name: string; text: string }) {
  const rows = readImportCsv(file.text);
  const run = await tx
    .insertInto('appeal_import_runs')
    .values({ community_id: communityId, file_name: file.name.slice(0, 200), source: file.text, total: rows.length, created_by: actor.type === 'user' ? actor.id : null, created_by_label: actor.label })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'appeal.import', objectType: 'appeal_import_run', objectId: run.id, note: { file: file.name, rows: rows.length } });
  await queue.sendInTx(tx, IMPORT_JOB, { communityId, runId: run.id }, { singletonKey: run.id });
  return { id: run.id, total: rows.length };
}

export async function getImportRun(tx: Tx, id: string) {
  return tx.selectFrom('appeal_import_runs').select(['id', 'status', 'file_name', 'total', 'done', 'created', 'skipped', 'rejected', 'rejected_rows', 'created_by_label', 'created_at', 'finished_at'])
    .where('id', '=', id).executeTakeFirst();
}

export async function listImportRuns(tx: Tx, limit = 20) {
  return tx.selectFrom('appeal_import_runs').select(['id', 'status', 'file_name', 'total', 'done', 'created', 'skipped', 'rejected', 'created_by_label', 'created_at'])
    .orderBy('created_at', 'desc').limit(limit).execute();
}

/** The job: every remaining batch of the run, each committed with its progress. */
export async function runImport(db: Db, community: Community, runId: string): Promise<void> {
  const head = await withCommunity(db, community.id, (tx) => tx.selectFrom('appeal_import_runs').select(['source', 'total', 'status']).where('id', '=', runId).executeTakeFirst());
  if (!head || head.status === 'done' || head.status === 'failed') return;
  let rows: SourceRow[];
  try {
    rows = readImportCsv(head.source);
  } catch {
    await withCommunity(db, community.id, (tx) => tx.updateTable('appeal_import_runs').set({ status: 'failed', finished_at: sql`now()` }).where('id', '=', runId).execute());
    return;
  }
  // A number met again further down the file is that file's mistake, on every run alike.
  const firstLine = new Map<string, number>();
  for (const r of rows) if (r.cells.number && !firstLine.has(r.cells.number)) firstLine.set(r.cells.number, r.line);
  for (let i = 0; i <= Math.ceil(head.total / IMPORT_BATCH); i++) {
    const more = await withCommunity(db, community.id, (tx) => importBatch(tx, community, runId, rows, firstLine));
    if (!more) return;
  }
}

async function importBatch(tx: Tx, community: Community, runId: string, rows: SourceRow[], firstLine: Map<string, number>): Promise<boolean> {
  const run = await tx.selectFrom('appeal_import_runs').select(['done', 'total', 'status', 'created_by', 'rejected_rows']).where('id', '=', runId).forUpdate().executeTakeFirst();
  if (!run || run.status === 'done' || run.status === 'failed') return false;
  const categories = (await tx.selectFrom('appeal_categories').select(['id', 'code', 'names', 'executor_org_id', 'service_hours', 'service_mode', 'legal_days']).execute());
  const refs: CategoryRef[] = categories.map((c) => ({ id: c.id, code: c.code, names: c.names }));
  const slice = rows.slice(run.done, run.done + IMPORT_BATCH);
  const rejected: RejectedRow[] = [];
  let created = 0;
  let skipped = 0;
  const counters = new Map<number, number>();
  for (const src of slice) {
    const row = checkRow(src.cells, refs, community.time_zone);
    if (isRejection(row)) {
      rejected.push({ line: src.line, number: src.cells.number || null, field: row.field, reason: row.reason });
      continue;
    }
    if (firstLine.get(row.number) !== src.line) {
      rejected.push({ line: src.line, number: row.number, field: 'number', reason: 'duplicate_in_file' });
      continue;
    }
    const outcome = await importRow(tx, community, runId, src.line, row, categories.find((c) => c.id === row.category_id)!, run.created_by);
    if (outcome === 'created') {
      created++;
      const m = /^(\d{4})-(\d{6})$/.exec(row.number);
      if (m) counters.set(Number(m[1]), Math.max(counters.get(Number(m[1])) ?? 0, Number(m[2])));
    } else if (outcome === 'skipped') skipped++;
    else rejected.push({ line: src.line, number: row.number, field: 'number', reason: outcome });
  }
  // Numbers in our own "2025-000123" form move the year's counter past them, so that a new
  // appeal never collides with an imported one. Last in the batch: the lock is held briefly.
  for (const [year, last] of counters) {
    await sql`insert into appeal_counters (community_id, year, last) values (${community.id}, ${year}, ${last})
      on conflict (community_id, year) do update set last = greatest(appeal_counters.last, excluded.last)`.execute(tx);
  }
  const done = run.done + slice.length;
  const finished = done >= run.total;
  const kept = run.rejected_rows.length < MAX_REJECTED_KEPT ? rejected.slice(0, MAX_REJECTED_KEPT - run.rejected_rows.length) : [];
  await tx.updateTable('appeal_import_runs')
    .set({
      status: finished ? 'done' : 'running', done,
      created: sql`created + ${created}`, skipped: sql`skipped + ${skipped}`, rejected: sql`rejected + ${rejected.length}`,
      rejected_rows: sql`rejected_rows || ${JSON.stringify(kept)}::jsonb`,
      finished_at: finished ? sql`now()` : null,
    })
    .where('id', '=', runId)
    .execute();
  return !finished;
}

type Category = { id: string; executor_org_id: string; service_hours: number; service_mode: 'working' | 'calendar'; legal_days: 15 | 30 };

/** One row, inside a savepoint so that a row the database refuses does not undo its batch. */
async function importRow(tx: Tx, c: Community, runId: string, line: number, r: ImportRow, cat: Category, by: string | null): Promise<'created' | 'skipped' | 'number_taken' | 'not_saved'> {
  await sql`savepoint import_row`.execute(tx);
  try {
    const a = r.applicant;
    const anonymous = !(a.name && a.address && (a.phone || a.email));
    const legalDays = c.appeals_law === 'ua' && LEGAL_TYPES.has(r.type) && !anonymous ? cat.legal_days : null;
    const resolvedAt = r.status === 'resolved' ? (r.resolved_at ?? r.closed_at ?? r.created_at) : r.resolved_at;
    const closedAt = r.status === 'closed' ? (r.closed_at ?? r.resolved_at ?? r.created_at) : r.closed_at;
    const serviceDue = serviceDueAt(r.created_at, cat.service_hours, cat.service_mode, workCalendar(c));
    const inserted = await tx.insertInto('appeals')
      .values({
        community_id: c.id, number: r.number, type: r.type, channel: r.channel, status: r.status, category_id: cat.id,
        description: r.description, address: r.address, lat: r.lat, lon: r.lon,
        applicant_name: a.name, applicant_phone: a.phone, applicant_email: a.email, applicant_address: a.address,
        notify_via: 'none', lang: c.default_lang, anonymous, confidential: r.confidential, executor_org_id: cat.executor_org_id,
        legal_days: legalDays, legal_due_at: legalDays ? legalDueAt(r.created_at, legalDays, 0, c.time_zone) : null, service_due_at: serviceDue,
        rating: r.rating, created_by: by, resolved_at: resolvedAt, closed_at: closedAt, reported_at: r.status === 'reported' ? (r.resolved_at ?? r.created_at) : null,
        created_at: r.created_at, updated_at: latest(r.created_at, resolvedAt, closedAt),
      })
      .onConflict((oc) => oc.columns(['community_id', 'number']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const seen = await tx.selectFrom('appeals as x').leftJoin('appeal_imported as i', 'i.appeal_id', 'x.id').select(['i.run_id']).where('x.number', '=', r.number).executeTakeFirst();
      await sql`release savepoint import_row`.execute(tx);
      return seen?.run_id ? 'skipped' : 'number_taken';
    }
    const id = inserted.id;
    await tx.insertInto('appeal_imported').values({ community_id: c.id, appeal_id: id, run_id: runId, line }).execute();
    await tx.insertInto('appeal_events').values([
      { community_id: c.id, appeal_id: id, kind: 'registered', to_status: 'registered', actor_type: 'system', at: r.created_at },
      { community_id: c.id, appeal_id: id, kind: 'imported', to_status: r.status, actor_type: 'system', is_public: false, actor_id: by },
    ]).execute();
    // A target missed before CityDesk knew the appeal is history, not a reason to alert today.
    if (serviceDue.getTime() < Date.now() && !['resolved', 'closed'].includes(r.status)) {
      await tx.insertInto('appeal_alerts').values(['reminder', 'escalation'].map((kind) => ({ community_id: c.id, appeal_id: id, kind: kind as 'reminder', due_at: serviceDue }))).execute();
    }
    await sql`release savepoint import_row`.execute(tx);
    return 'created';
  } catch {
    await sql`rollback to savepoint import_row`.execute(tx);
    return 'not_saved';
  }
}

const latest = (first: Date, ...more: (Date | null)[]) => more.reduce<Date>((x, y) => (y && y > x ? y : x), first);
