/**
 * Reading a CSV of historical appeals: the header is matched to our columns (the documented
 * codes, or the column titles the export writes in any of our languages), and each row is
 * checked on its own. A bad row is not an error of the file: it is rejected with a reason code
 * (`appeals.import.reason.<code>`, shown in the reader's language) and the rest goes on.
 * No database here; import-runs.ts stores and applies the rows.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { LANGS, t, type MessageKey } from '../../i18n/i18n.ts';
import { invalid } from '../../http/errors.ts';
import type { AppealChannel, AppealStatus, AppealType } from '../../db/types.ts';
import { APPEAL_CHANNELS, APPEAL_TYPES } from './schema.ts';
import { EXPORT_COLUMNS, columnLabel } from './export.ts';
import { zonedToDate } from './open311.ts';

export const IMPORT_COLUMNS = [
  'number', 'registered_at', 'category', 'type', 'channel', 'status', 'description', 'address', 'lat', 'lon',
  'applicant_name', 'applicant_phone', 'applicant_email', 'applicant_address', 'confidential', 'resolved_at', 'closed_at', 'rating',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly ImportColumn[] = ['number', 'registered_at', 'category', 'description'];
export const MAX_IMPORT_ROWS = 100_000;
const STATUSES: readonly AppealStatus[] = ['registered', 'in_progress', 'reported', 'reopened', 'resolved', 'closed'];

export type SourceRow = { line: number; cells: Partial<Record<ImportColumn, string>> };

const norm = (s: string) => s.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');

/** Column code, or the export's title of it in uk/en/fa → our column. */
const HEADER = new Map<string, ImportColumn>();
for (const c of IMPORT_COLUMNS) HEADER.set(c, c);
for (const c of EXPORT_COLUMNS) {
  if (!(IMPORT_COLUMNS as readonly string[]).includes(c)) continue;
  for (const l of LANGS) HEADER.set(norm(columnLabel(l, c)), c as ImportColumn);
}

/** A code, or its label in any of our languages ("скарга", "complaint", "شکایت") → the code. */
function labels<T extends string>(codes: readonly T[], key: (c: T) => string): Map<string, T> {
  const m = new Map<string, T>();
  for (const c of codes) {
    m.set(c, c);
    for (const l of LANGS) m.set(norm(t(l, key(c) as MessageKey)), c);
  }
  return m;
}
const TYPES = labels(APPEAL_TYPES, (c) => `appeals.type.${c}`);
const CHANNELS = labels(APPEAL_CHANNELS, (c) => `appeals.channel.${c}`);
const STATUS = labels(STATUSES, (c) => `appeals.status.${c}`);
const YES = new Set(['1', 'true', 'yes', 'y', 'так', 'т', 'да', 'بله', ...LANGS.map((l) => norm(t(l, 'appeals.export.yes')))]);
const NO = new Set(['', '0', 'false', 'no', 'n', 'ні', 'н', 'нет', 'خیر', 'نه', ...LANGS.map((l) => norm(t(l, 'appeals.export.no')))]);

/** Excel in Ukrainian saves CSV with ";": the header line tells which one the file uses. */
function delimiterOf(text: string): ',' | ';' {
  const first = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
  return (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** Parses the whole file. A file that is not CSV, lacks a required column or is too long is
 * refused as a whole (nothing is imported); rows are checked later, one by one. */
export function readImportCsv(text: string): SourceRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, delimiter: delimiterOf(text.replace(/^\uFEFF/, '')), info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 0;
    throw invalid({ csv: 'not_csv', line }, 'appeals.import.error.not_csv');
  }
  if (!records.length) throw invalid({ csv: 'empty' }, 'appeals.import.error.empty');
  const header = records[0].record.map((h) => HEADER.get(norm(h)) ?? null);
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw invalid({ csv: 'missing_columns', columns: missing.join(', ') }, 'appeals.import.error.missing_columns');
  if (records.length - 1 > MAX_IMPORT_ROWS) throw invalid({ csv: 'too_many_rows', max: MAX_IMPORT_ROWS }, 'appeals.import.error.too_many_rows');
  return records.slice(1).map(({ record, info }) => {
    const cells: Partial<Record<ImportColumn, string>> = {};
    header.forEach((col, i) => {
      if (col && record[i] !== undefined) cells[col] = record[i].trim();
    });
    return { line: info.lines, cells };
  });
}

export type CategoryRef = { id: string; code: string; names: Partial<Record<string, string>> };

export type ImportRow = {
  number: string; created_at: Date; category_id: string; type: AppealType; channel: AppealChannel; status: AppealStatus;
  description: string; address: string | null; lat: number | null; lon: number | null;
  applicant: { name: string | null; phone: string | null; email: string | null; address: string | null };
  confidential: boolean; resolved_at: Date | null; closed_at: Date | null; rating: number | null;
};
export type Rejection = { field: ImportColumn | null; reason: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const DMY = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** "2024-03-12", "2024-03-12 14:05", "12.03.2024 14:05": local time in the community's zone. */
export function readDate(s: string, timeZone: string): Date | null {
  let m = DATE.exec(s);
  let parts: string[] | null = m ? [m[1], m[2], m[3], m[4] ?? '00', m[5] ?? '00', m[6] ?? '00'] : null;
  if (!parts && (m = DMY.exec(s))) parts = [m[3], m[2].padStart(2, '0'), m[1].padStart(2, '0'), (m[4] ?? '00').padStart(2, '0'), m[5] ?? '00', m[6] ?? '00'];
  if (!parts) return null;
  const [y, mo, d, h, mi, se] = parts;
  const check = new Date(`${y}-${mo}-${d}T${h}:${mi}:${se}Z`);
  if (Number.isNaN(check.getTime()) || check.getUTCDate() !== Number(d)) return null;
  const at = zonedToDate(`${y}-${mo}-${d}T${h}:${mi}:${se}`, timeZone);
  return Number.isNaN(at.getTime()) ? null : at;
}

const Email = z.string().email();
const PHONE = /^\+?[\d\s()-]{9,20}$/;

/** One row checked against the community's categories; a rejection names the field. */
export function checkRow(cells: SourceRow['cells'], categories: CategoryRef[], timeZone: string, now = new Date()): ImportRow | Rejection {
  const v = (c: ImportColumn) => cells[c] ?? '';
  const bad = (field: ImportColumn, reason: string): Rejection => ({ field, reason });
  for (const c of REQUIRED_COLUMNS) if (!v(c)) return bad(c, 'required');
  const long = ([['number', 50], ['description', 5000], ['address', 300], ['applicant_name', 200], ['applicant_address', 300], ['applicant_email', 200]] as const)
    .find(([c, max]) => v(c).length > max);
  if (long) return bad(long[0], 'too_long');
  const created = readDate(v('registered_at'), timeZone);
  if (!created) return bad('registered_at', 'bad_date');
  if (created.getTime() > now.getTime()) return bad('registered_at', 'future_date');
  const cat = norm(v('category'));
  const category = categories.find((c) => c.code === cat || Object.values(c.names).some((n) => n && norm(n) === cat));
  if (!category) return bad('category', 'unknown_category');
  const type = v('type') ? TYPES.get(norm(v('type'))) : 'statement';
  if (!type) return bad('type', 'unknown_type');
  const channel = v('channel') ? CHANNELS.get(norm(v('channel'))) : 'phone';
  if (!channel) return bad('channel', 'unknown_channel');
  const status = v('status') ? STATUS.get(norm(v('status'))) : 'closed';
  if (!status) return bad('status', 'unknown_status');
  const dates: Partial<Record<'resolved_at' | 'closed_at', Date | null>> = {};
  for (const c of ['resolved_at', 'closed_at'] as const) {
    if (!v(c)) { dates[c] = null; continue; }
    const d = readDate(v(c), timeZone);
    if (!d) return bad(c, 'bad_date');
    if (d < created) return bad(c, 'before_registration');
    if (d.getTime() > now.getTime()) return bad(c, 'future_date');
    dates[c] = d;
  }
  const num = (c: 'lat' | 'lon') => (v(c) ? Number(v(c).replace(',', '.')) : null);
  const lat = num('lat');
  const lon = num('lon');
  if (lat !== null && (!Number.isFinite(lat) || Math.abs(lat) > 90)) return bad('lat', 'bad_coordinates');
  if (lon !== null && (!Number.isFinite(lon) || Math.abs(lon) > 180)) return bad('lon', 'bad_coordinates');
  if ((lat === null) !== (lon === null)) return bad(lat === null ? 'lat' : 'lon', 'bad_coordinates');
  if (v('applicant_email') && !Email.safeParse(v('applicant_email')).success) return bad('applicant_email', 'bad_email');
  if (v('applicant_phone') && !PHONE.test(v('applicant_phone'))) return bad('applicant_phone', 'bad_phone');
  const conf = norm(v('confidential'));
  if (!YES.has(conf) && !NO.has(conf)) return bad('confidential', 'bad_yes_no');
  const rating = v('rating') ? Number(v('rating')) : null;
  if (rating !== null && !(Number.isInteger(rating) && rating >= 1 && rating <= 5)) return bad('rating', 'bad_rating');
  return {
    number: v('number'), created_at: created, category_id: category.id, type, channel, status,
    description: v('description'), address: v('address') || null, lat, lon,
    applicant: { name: v('applicant_name') || null, phone: v('applicant_phone') || null, email: v('applicant_email').toLowerCase() || null, address: v('applicant_address') || null },
    confidential: YES.has(conf), resolved_at: dates.resolved_at ?? null, closed_at: dates.closed_at ?? null, rating,
  };
}

export const isRejection = (r: ImportRow | Rejection): r is Rejection => 'reason' in r;
