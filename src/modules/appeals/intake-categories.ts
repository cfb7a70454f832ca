// The category catalogue as intake needs it, kept in memory per community.
//
// Every filing needs its category's executor, terms and outage kind before its row can be
// written. Reading them costs a statement per batch; the catalogue changes a few times a year.
// So intake keeps each community's active categories here, each with the row version it was
// read at (PostgreSQL's `xmin`), and the insert writes a filing only where its category still
// has that version and is not archived (service.ts, insertRegistrations). A filing whose
// category changed since is not written; intake reads the catalogue again and files it anew.
// No process ever files against a category edited or archived elsewhere, and nothing expires.
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { AppealCategoriesTable } from '../../db/types.ts';

export type IntakeCategory = Pick<Selectable<AppealCategoriesTable>, 'id' | 'legal_days' | 'service_hours' | 'service_mode' | 'executor_org_id' | 'outage_kind'> & {
  /** The row version the fields were read at. */
  xmin: string;
};

const catalogues = new Map<string, Map<string, IntakeCategory>>();

/** The community's active categories: from memory, or read afresh when `fresh` is set, when
 * there are none yet, or when one of `needed` is not among them (a category made since). */
export async function intakeCategories(tx: Tx, communityId: string, needed: Iterable<string>, fresh = false): Promise<Map<string, IntakeCategory>> {
  const known = fresh ? undefined : catalogues.get(communityId);
  if (known && [...needed].every((id) => known.has(id))) return known;
  // RLS keeps the read to the transaction's community.
  const rows = await sql<IntakeCategory>`select id, legal_days, service_hours, service_mode, executor_org_id, outage_kind, xmin::text as xmin
    from appeal_categories where archived_at is null`.execute(tx);
  const catalogue = new Map(rows.rows.map((c) => [c.id, c]));
  catalogues.set(communityId, catalogue);
  return catalogue;
}
