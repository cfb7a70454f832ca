/**
 * Writers for the export: CSV (RFC 4180, UTF-8 with a byte-order mark so that Excel reads
 * Cyrillic and Persian correctly, cells guarded against formula injection) and XLSX (exceljs's
 * streaming writer: rows are committed as they come, so memory stays flat).
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Lang } from '../../i18n/i18n.ts';
import type { Cell } from './export.ts';

/** A spreadsheet would run a cell starting with one of these as a formula
 * (OWASP "CSV injection"); a leading apostrophe makes it text. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function guardFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

// One formatter per zone: building an Intl.DateTimeFormat costs far more than using it, and an
// export formats a few hundred thousand dates.
const formatters = new Map<string, Intl.DateTimeFormat>();
function wallParts(d: Date, timeZone: string): Record<string, string> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** Local wall time in the community's zone, "2026-03-12 14:05" (what Excel reads as a date). */
export function localStamp(d: Date, timeZone: string): string {
  const p = wallParts(d, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function csvCell(v: Cell, timeZone: string): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return localStamp(v, timeZone);
  if (typeof v === 'number') return String(v);
  const s = guardFormula(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (row: Cell[], timeZone: string) => `${row.map((c) => csvCell(c, timeZone)).join(',')}\r\n`;

/** The CSV as a stream: BOM and header first, then rows grouped into chunks of a few hundred. */
export function csvStream(header: string[], rows: AsyncIterable<Cell[]>, timeZone: string): Readable {
  async function* chunks() {
    yield `\uFEFF${csvLine(header, timeZone)}`;
    let buf = '';
    let n = 0;
    for await (const r of rows) {
      buf += csvLine(r, timeZone);
      if (++n % 500 === 0) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  return Readable.from(chunks());
}

/** Excel keeps no time zone: a date cell holds the local wall time. */
function wallTime(d: Date, timeZone: string): Date {
  const p = wallParts(d, timeZone);
  return new Date(Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second));
}

export type XlsxColumn = { header: string; width: number; date: boolean };

/**
 * The XLSX as a stream. The rows are written by a background task that waits for the
 * consumer when the stream is full; an error ends the stream with that error.
 */
export function xlsxStream(sheetName: string, columns: XlsxColumn[], rows: AsyncIterable<Cell[]>, lang: Lang, timeZone: string): PassThrough {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(sheetName.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31), { views: [{ state: 'frozen', ySplit: 1, rightToLeft: lang === 'fa' }] });
  ws.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width, style: c.date ? { numFmt: 'yyyy-mm-dd hh:mm' } : {} }));
  ws.getRow(1).font = { bold: true };
  (async () => {
    let n = 0;
    for await (const r of rows) {
      ws.addRow(r.map((v) => (v instanceof Date ? wallTime(v, timeZone) : v))).commit();
      if (++n % 500 === 0 && out.writableNeedDrain) await new Promise((ok) => out.once('drain', ok));
    }
    ws.commit();
    await wb.commit();
  })().catch((e: Error) => out.destroy(e));
  return out;
}
