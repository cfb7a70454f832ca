// Import runs: the file is stored with the run, a job applies it in batches (each batch its
// own transaction, so the console's progress bar moves), and the run ends with counts and the
// rejected rows. Every write is an upsert, so a job that runs again after a crash only redoes.
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import type { Lang } from '../../db/types.ts';
import type { Queue } from '../../jobs/queue.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { BadFile, districtKey, parseCsvFile, parseGeoJsonFile, parseOsmFile, type ImportBuilding, type ImportStreet, type ParsedFile } from './import-parse.ts';
import { streetKey } from './normalise.ts';

export const IMPORT_JOB = 'addresses.import';
const BATCH = 500;
const MAX_REJECTED_KEPT = 1000;

export type ImportFormat = 'csv' | 'osm' | 'geojson';

/** Stores the file with a new run and queues its job, in the caller's transaction. */
export async function queueImport(tx: Tx, queue: Queue, actor: Actor, communityId: string, input: { format: ImportFormat; fileName: string | null; text: string }) {
  const row = await tx
    .insertInto('address_imports')
    .values({ community_id: communityId, format: input.format, file_name: input.fileName, payload: input.text, created_by: actor.type === 'user' ? actor.id : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'addresses.import', objectType: 'address_import', objectId: row.id, note: { format: input.format, bytes: input.text.length } });
  await queue.sendInTx(tx, IMPORT_JOB, { communityId, importId: row.id }, { singletonKey: row.id });
  return row.id;
}

export async function getImport(tx: Tx, id: string) {
  return tx.selectFrom('address_imports').select(['id', 'format', 'file_name', 'status', 'total', 'processed', 'streets_added', 'buildings_added', 'buildings_updated', 'rejected', 'error', 'created_at', 'finished_at']).where('id', '=', id).executeTakeFirst();
}

export async function listImports(tx: Tx, limit = 10) {
  return tx.selectFrom('address_imports').select(['id', 'format', 'file_name', 'status', 'total', 'processed', 'created_at']).orderBy('created_at', 'desc').limit(limit).execute();
}

function parseFile(format: ImportFormat, text: string, lang: Lang): ParsedFile {
  if (format === 'csv') return parseCsvFile(text, lang);
  if (format === 'osm') return parseOsmFile(text, lang);
  return parseGeoJsonFile(text, lang);
}

/** Applies one run. Safe to call again: a finished run is left alone. */
export async function runImport(db: Db, communityId: string, importId: string): Promise<void> {
  const run = await withCommunity(db, communityId, async (tx) => {
    const r = await tx.selectFrom('address_imports').select(['status', 'format', 'payload']).where('id', '=', importId).executeTakeFirst();
    const c = await tx.selectFrom('communities').select('default_lang').where('id', '=', communityId).executeTakeFirstOrThrow();
    return r && { ...r, lang: c.default_lang };
  });
  if (!run || run.status === 'done' || run.status === 'failed' || run.payload === null) return;
  const update = (set: Record<string, unknown>) => withCommunity(db, communityId, (tx) => tx.updateTable('address_imports').set(set).where('id', '=', importId).execute());
  let parsed: ParsedFile;
  try {
    parsed = parseFile(run.format, run.payload, run.lang);
  } catch (e) {
    if (!(e instanceof BadFile)) throw e;
    return void (await update({ status: 'failed', error: e.message, payload: null, finished_at: new Date() }));
  }
  const total = parsed.streets.size + parsed.buildings.length;
  await update({ status: 'running', total, processed: 0, rejected: JSON.stringify(parsed.rejected.slice(0, MAX_REJECTED_KEPT)) });
  const counts = { streets: 0, added: 0, updated: 0 };
  const ids = new Map<string, string>();
  const streets = [...parsed.streets.entries()];
  for (let i = 0; i < streets.length; i += BATCH) {
    const batch = streets.slice(i, i + BATCH);
    counts.streets += await withCommunity(db, communityId, (tx) => upsertStreets(tx, communityId, batch, ids));
    await update({ processed: i + batch.length });
  }
  for (let i = 0; i < parsed.buildings.length; i += BATCH) {
    const batch = parsed.buildings.slice(i, i + BATCH);
    const r = await withCommunity(db, communityId, (tx) => upsertBuildings(tx, communityId, batch, ids));
    counts.added += r.added;
    counts.updated += r.updated;
    await update({ processed: streets.length + i + batch.length });
  }
  // Fresh statistics after a bulk load, so that the planner keeps to the indexes (owner role).
  await sql`analyze streets, street_names, buildings`.execute(db);
  await update({ status: 'done', processed: total, streets_added: counts.streets, buildings_added: counts.added, buildings_updated: counts.updated, payload: null, finished_at: new Date() });
}

async function districtIds(tx: Tx, communityId: string, names: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Map(names.filter((n): n is string => !!n?.trim()).map((n) => [districtKey(n), n.trim()])).entries()];
  if (!wanted.length) return new Map();
  const lang = (await tx.selectFrom('communities').select('default_lang').where('id', '=', communityId).executeTakeFirstOrThrow()).default_lang;
  await tx
    .insertInto('address_districts')
    .values(wanted.map(([key, name]) => ({ community_id: communityId, key, names: JSON.stringify({ [lang]: name }) })))
    .onConflict((oc) => oc.columns(['community_id', 'key']).doNothing())
    .execute();
  const rows = await tx.selectFrom('address_districts').select(['id', 'key']).where('community_id', '=', communityId).where('key', 'in', wanted.map(([k]) => k)).execute();
  return new Map(rows.map((r) => [r.key, r.id]));
}

/** Inserts new streets, merges names and former names into known ones, rewrites their search names. */
export async function upsertStreets(tx: Tx, communityId: string, batch: [string, ImportStreet][], ids: Map<string, string>): Promise<number> {
  const districts = await districtIds(tx, communityId, batch.map(([, s]) => s.district));
  const rows = await tx
    .insertInto('streets')
    .values(batch.map(([, s]) => ({
      community_id: communityId, kind: s.kind, key: s.key, names: JSON.stringify(s.names), former_names: JSON.stringify(s.former),
      district_id: s.district ? (districts.get(districtKey(s.district)) ?? null) : null,
    })))
    .onConflict((oc) => oc.columns(['community_id', 'kind', 'key']).doUpdateSet({
      names: sql`streets.names || excluded.names`,
      former_names: sql`(select coalesce(jsonb_agg(distinct x), '[]') from jsonb_array_elements(streets.former_names || excluded.former_names) x)`,
      district_id: sql`coalesce(excluded.district_id, streets.district_id)`,
      updated_at: sql`now()`,
    }))
    .returning(['id', 'kind', 'key', 'names', 'former_names', sql<boolean>`xmax = 0`.as('inserted')])
    .execute();
  const names: { community_id: string; street_id: string; key: string; former: boolean }[] = [];
  for (const r of rows) {
    ids.set(`${r.kind}|${r.key}`, r.id);
    const keys = new Map<string, boolean>();
    for (const n of Object.values(r.names)) if (n) keys.set(streetKey(n), false);
    for (const n of r.former_names) if (!keys.has(streetKey(n))) keys.set(streetKey(n), true);
    for (const [key, former] of keys) if (key) names.push({ community_id: communityId, street_id: r.id, key, former });
  }
  await tx.deleteFrom('street_names').where('street_id', 'in', rows.map((r) => r.id)).execute();
  if (names.length) await tx.insertInto('street_names').values(names).execute();
  return rows.filter((r) => r.inserted).length;
}

export async function upsertBuildings(tx: Tx, communityId: string, batch: ImportBuilding[], ids: Map<string, string>) {
  const districts = await districtIds(tx, communityId, batch.map((b) => b.district));
  // The same building twice in one statement is an error in PostgreSQL: the later row wins.
  const unique = new Map<string, ImportBuilding>();
  for (const b of batch) if (ids.has(b.street)) unique.set(`${b.street}#${b.numberKey}`, b);
  if (!unique.size) return { added: 0, updated: 0 };
  const rows = await tx
    .insertInto('buildings')
    .values([...unique.values()].map((b) => ({
      community_id: communityId, street_id: ids.get(b.street)!, number: b.number, number_key: b.numberKey, lat: b.lat, lon: b.lon,
      district_id: b.district ? (districts.get(districtKey(b.district)) ?? null) : null,
    })))
    .onConflict((oc) => oc.columns(['community_id', 'street_id', 'number_key']).doUpdateSet({
      number: sql`excluded.number`,
      lat: sql`coalesce(excluded.lat, buildings.lat)`,
      lon: sql`coalesce(excluded.lon, buildings.lon)`,
      district_id: sql`coalesce(excluded.district_id, buildings.district_id)`,
    }))
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
  const added = rows.filter((r) => r.inserted).length;
  return { added, updated: rows.length - added };
}
