/**
 * Export of a filtered list of appeals. Who gets which columns is decided here, once, and the
 * README's table says the same ("Export: who gets what"). Rows are read in keyset batches,
 * each in its own short transaction, so 35,000 appeals never sit in memory at once and no
 * connection is held while a slow client downloads.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import type { AppealStatus, Texts } from '../../db/types.ts';
import { pick, t, type Lang, type MessageKey } from '../../i18n/i18n.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { isOperator } from './actions.ts';
import { publicAddress } from './open311.ts';
import { OPEN_STATUSES } from './open311.ts';

export type Viewer = { roles: string[]; organisationId: string | null };
/** full: the desk (operators, controllers, admins); executor: own organisation, no contacts;
 * leadership: figures and streets, no contacts, no free text. */
export type ExportProfile = 'full' | 'executor' | 'leadership';
export type ExportPolicy = { profile: ExportProfile; organisationId: string | null; confidentialContacts: boolean };

export function exportPolicy(v: Viewer): ExportPolicy | null {
  if (isOperator(v)) return { profile: 'full', organisationId: null, confidentialContacts: v.roles.includes('appeals_controller') };
  if (v.roles.includes('leadership')) return { profile: 'leadership', organisationId: null, confidentialContacts: false };
  if (v.roles.includes('executor') && v.organisationId) return { profile: 'executor', organisationId: v.organisationId, confidentialContacts: false };
  return null;
}

export const EXPORT_COLUMNS = [
  'number', 'registered_at', 'type', 'channel', 'status', 'category', 'executor', 'address', 'description', 'service_due_at', 'legal_due_at',
  'resolved_at', 'closed_at', 'on_control', 'reopen_count', 'rating', 'anonymous', 'confidential', 'imported',
  'applicant_name', 'applicant_phone', 'applicant_email', 'applicant_address',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
const CONTACTS: ReadonlySet<ExportColumn> = new Set(['applicant_name', 'applicant_phone', 'applicant_email', 'applicant_address']);

export function columnsFor(p: ExportProfile): ExportColumn[] {
  if (p === 'full') return [...EXPORT_COLUMNS];
  return EXPORT_COLUMNS.filter((c) => !CONTACTS.has(c) && !(p === 'leadership' && c === 'description'));
}

export const columnLabel = (lang: Lang, c: ExportColumn) => t(lang, `appeals.export.col.${c}` as MessageKey);

export type ExportFilter = { show: 'open' | 'all' | 'control'; q?: string };

type Row = {
  id: string; number: string; type: string; channel: string; status: AppealStatus; description: string; address: string | null;
  created_at: Date; service_due_at: Date; legal_due_at: Date | null; resolved_at: Date | null; closed_at: Date | null;
  on_control: boolean; reopen_count: number; rating: number | null; anonymous: boolean; confidential: boolean;
  applicant_name: string | null; applicant_phone: string | null; applicant_email: string | null; applicant_address: string | null;
  category_names: Texts; executor_names: Texts; imported: boolean;
};

const BATCH = 1000;
const MAX_BATCHES = 1000; // a million rows: far beyond any city's year, a bound on the loop

async function batch(db: Db, communityId: string, pol: ExportPolicy, f: ExportFilter, after: { at: Date; id: string } | null): Promise<Row[]> {
  return withCommunity(db, communityId, async (tx) => {
    // The batch's appeals first (the keyset index gives them in order), then their names:
    // joining before the limit made the planner sort the whole history for every batch.
    let page = tx.selectFrom('appeals').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(BATCH);
    // The same filters as the console list (service.ts listAppeals), and the executor's scope.
    if (f.show === 'open') page = page.where('status', 'in', [...OPEN_STATUSES]);
    if (f.show === 'control') page = page.where('on_control', '=', true);
    if (pol.organisationId) page = page.where('executor_org_id', '=', pol.organisationId);
    if (f.q) {
      const like = `%${f.q.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`;
      page = page.where((eb) => eb.or([eb('number', 'ilike', like), eb('description', 'ilike', like), eb('address', 'ilike', like)]));
    }
    if (after) page = page.where(sql<boolean>`(created_at, id) < (${after.at}, ${after.id})`);
    const rows = await tx
      .selectFrom(page.as('a'))
      .innerJoin('appeal_categories as c', 'c.id', 'a.category_id')
      .innerJoin('organisations as o', 'o.id', 'a.executor_org_id')
      .leftJoin('appeal_imported as i', 'i.appeal_id', 'a.id')
      .select(['a.id', 'a.number', 'a.type', 'a.channel', 'a.status', 'a.description', 'a.address', 'a.created_at', 'a.service_due_at', 'a.legal_due_at',
        'a.resolved_at', 'a.closed_at', 'a.on_control', 'a.reopen_count', 'a.rating', 'a.anonymous', 'a.confidential',
        'a.applicant_name', 'a.applicant_phone', 'a.applicant_email', 'a.applicant_address', 'c.names as category_names', 'o.names as executor_names'])
      .select(sql<boolean>`i.appeal_id is not null`.as('imported'))
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id', 'desc')
      .execute();
    return rows as Row[];
  });
}

export type Cell = string | number | Date | null;
export type ExportCtx = { lang: Lang; defaultLang: Lang; timeZone: string };

/** One appeal as the cells of `cols`. Contacts of a confidential (Art. 10) appeal stay empty
 * unless the policy allows them (controllers). Dates are instants; the writer formats them. */
export function cells(r: Row, cols: ExportColumn[], pol: ExportPolicy, x: ExportCtx): Cell[] {
  const yes = (b: boolean) => t(x.lang, b ? 'appeals.export.yes' : 'appeals.export.no');
  const hideContacts = r.confidential && !pol.confidentialContacts;
  const value = (c: ExportColumn): Cell => {
    switch (c) {
      case 'number': return r.number;
      case 'registered_at': return r.created_at;
      case 'type': return t(x.lang, `appeals.type.${r.type}` as MessageKey);
      case 'channel': return t(x.lang, `appeals.channel.${r.channel}` as MessageKey);
      case 'status': return t(x.lang, `appeals.status.${r.status}`);
      case 'category': return pick(r.category_names, x.lang, x.defaultLang);
      case 'executor': return pick(r.executor_names, x.lang, x.defaultLang);
      case 'address': return pol.profile === 'leadership' ? (r.confidential ? null : publicAddress(r.address ?? '')) : r.address;
      case 'description': return r.description;
      case 'service_due_at': return r.service_due_at;
      case 'legal_due_at': return r.legal_due_at;
      case 'resolved_at': return r.resolved_at;
      case 'closed_at': return r.closed_at;
      case 'on_control': return yes(r.on_control);
      case 'reopen_count': return r.reopen_count;
      case 'rating': return r.rating;
      case 'anonymous': return yes(r.anonymous);
      case 'confidential': return yes(r.confidential);
      case 'imported': return yes(r.imported);
      case 'applicant_name': return hideContacts ? null : r.applicant_name;
      case 'applicant_phone': return hideContacts ? null : r.applicant_phone;
      case 'applicant_email': return hideContacts ? null : r.applicant_email;
      case 'applicant_address': return hideContacts ? null : r.applicant_address;
    }
  };
  return cols.map(value);
}

/**
 * Every appeal the viewer may export under the filter, as rows of cells, batch by batch.
 * The export itself is recorded in the audit trail (who, which filter, which profile) before
 * the first row leaves.
 */
export async function* exportRows(db: Db, communityId: string, actor: Actor, pol: ExportPolicy, f: ExportFilter, x: ExportCtx, format: 'csv' | 'xlsx'): AsyncGenerator<Cell[]> {
  const cols = columnsFor(pol.profile);
  await withCommunity(db, communityId, (tx) =>
    recordAudit(tx, actor, { action: 'appeal.export', objectType: 'appeal', objectId: null, note: { format, profile: pol.profile, show: f.show, q: f.q ?? null } }));
  let after: { at: Date; id: string } | null = null;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const rows = await batch(db, communityId, pol, f, after);
    for (const r of rows) yield cells(r, cols, pol, x);
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1];
    after = { at: last.created_at, id: last.id };
  }
}
