/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): pure mapping of appeal
 * categories to "services" and of appeals to "service requests", and a tiny XML writer for
 * the `.xml` variants. No database, no HTTP: the routes (src/web/open311/routes.ts) load
 * the rows and call these.
 *
 * The list of service requests is public, so the mapping never carries the applicant's name,
 * phone, e-mail or postal address; the problem's address loses its house and flat numbers
 * and coordinates are rounded to 3 decimals (about 100 m).
 */
import { pick, t, type Lang } from '../../i18n/i18n.ts';
import type { AppealStatus, Texts } from '../../db/types.ts';

export const OPEN311_SPEC = 'http://wiki.open311.org/GeoReport_v2';
export const OPEN311_FORMATS = ['text/xml', 'application/json'] as const;
export type Format = 'json' | 'xml';

/* ------------------------------------------------------------------ services */

export type CategoryRow = {
  code: string;
  names: Texts;
  keywords: Texts | null;
  executor_org_id: string;
};

export type Open311Service = {
  service_code: string;
  service_name: string;
  description: string | null;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string | null;
  group: string | null;
};

/** Category keywords are written space-separated; Open311 wants them comma-separated. */
export function keywordList(text: string | undefined | null): string | null {
  const words = (text ?? '').split(/[\s,;،]+/u).map((w) => w.trim()).filter(Boolean);
  return words.length ? [...new Set(words)].join(', ') : null;
}

/** A category as an Open311 service: names in the request's language (the community's
 * default when missing); `group` is the executor organisation that handles it. */
export function toService(c: CategoryRow, lang: Lang, defaultLang: Lang, orgNames: ReadonlyMap<string, Texts>): Open311Service {
  const name = pick(c.names, lang, defaultLang);
  const org = orgNames.get(c.executor_org_id);
  return {
    service_code: c.code,
    service_name: name,
    description: name || null,
    metadata: false,
    type: 'realtime',
    keywords: keywordList(c.keywords?.[lang] || c.keywords?.[defaultLang]),
    group: org ? pick(org, lang, defaultLang) || null : null,
  };
}

/** metadata is false for every service: no extra attributes are asked. */
export const toServiceDefinition = (code: string) => ({ service_code: code, attributes: [] as never[] });

/* ---------------------------------------------------------- service requests */

export type AppealRow = {
  number: string;
  status: AppealStatus;
  description: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  confidential: boolean;
  applicant_name: string | null;
  applicant_phone: string | null;
  applicant_email: string | null;
  applicant_address: string | null;
  service_due_at: Date;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  category_code: string;
  category_names: Texts;
  executor_org_id: string;
};

export type Open311Request = {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: null;
  zipcode: null;
  lat: number | null;
  long: number | null;
  media_url: null;
};

export const CLOSED_STATUSES: readonly AppealStatus[] = ['resolved', 'closed'];
export const OPEN_STATUSES: readonly AppealStatus[] = ['registered', 'in_progress', 'reported', 'reopened'];
export const open311Status = (s: AppealStatus): 'open' | 'closed' => (CLOSED_STATUSES.includes(s) ? 'closed' : 'open');

/** The spec allows 4000 characters; CityDesk takes up to 5000. */
const DESCRIPTION_MAX = 4000;

export type Zone = { timeZone: string; defaultLang: Lang };

/** An appeal as a public Open311 service request. */
export function toServiceRequest(a: AppealRow, lang: Lang, zone: Zone, orgNames: ReadonlyMap<string, Texts>): Open311Request {
  const status = open311Status(a.status);
  const org = orgNames.get(a.executor_org_id);
  const closedAt = status === 'closed' ? (a.closed_at ?? a.resolved_at ?? a.updated_at) : a.updated_at;
  const address = a.confidential ? null : publicAddress(a.address ?? '');
  return {
    service_request_id: a.number,
    status,
    status_notes: t(lang, `appeals.status.${a.status}`),
    service_name: pick(a.category_names, lang, zone.defaultLang) || null,
    service_code: a.category_code,
    description: publicDescription(a) || null,
    agency_responsible: org ? pick(org, lang, zone.defaultLang) || null : null,
    service_notice: status === 'open' ? serviceNotice(a.service_due_at, lang, zone.timeZone) : null,
    requested_datetime: isoWithOffset(a.created_at, zone.timeZone),
    updated_datetime: isoWithOffset(closedAt, zone.timeZone),
    expected_datetime: isoWithOffset(a.service_due_at, zone.timeZone),
    address,
    address_id: null,
    zipcode: null,
    lat: a.confidential ? null : roundCoord(a.lat),
    long: a.confidential ? null : roundCoord(a.lon),
    media_url: null,
  };
}

/** "Target date: 2026-03-12T17:00:00+02:00", in the request's language. */
export const serviceNotice = (due: Date, lang: Lang, timeZone: string) => `${t(lang, 'appeals.view.service_due')}: ${isoWithOffset(due, timeZone)}`;

export const roundCoord = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;

/** Minutes east of UTC of `timeZone` at the instant `d` (Kyiv in winter: 120; Tehran: 210). */
export function offsetMinutes(d: Date, timeZone: string): number {
  const p = zonedParts(d, timeZone);
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((local - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
}

function zonedParts(d: Date, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(d).map((p) => [p.type, p.value]),
  );
}

/** ISO 8601 with the community's UTC offset, e.g. 2026-03-12T14:05:09+02:00 (Tehran: +03:30). */
export function isoWithOffset(d: Date, timeZone: string): string {
  const p = zonedParts(d, timeZone);
  const off = offsetMinutes(d, timeZone);
  const abs = Math.abs(off);
  const offset = `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}

/** A local date or date-time without an offset ("2026-03-01", "2026-03-01T08:00") read in
 * `timeZone`, as an instant. Invalid input gives an invalid Date. */
export function zonedToDate(local: string, timeZone: string): Date {
  const asUtc = new Date(`${local.length === 10 ? `${local}T00:00:00` : local}Z`);
  if (Number.isNaN(asUtc.getTime())) return asUtc;
  const first = new Date(asUtc.getTime() - offsetMinutes(asUtc, timeZone) * 60_000);
  // Near a clock change the offset at the result may differ from the first guess.
  return new Date(asUtc.getTime() - offsetMinutes(first, timeZone) * 60_000);
}

/* ------------------------------------------------------------------ privacy */

const DIGIT = '[0-9۰-۹٠-٩]';
/** A house or flat number: 12, 12а, 12-А, 12/1, 12-14, 12А/3, ۱۲ */
const NUM = `${DIGIT}+(?:[\\s-]?[\\p{L}](?![\\p{L}\\p{N}]))?(?:\\s?[/\\\\-]\\s?${DIGIT}+(?:[\\p{L}](?![\\p{L}\\p{N}]))?)*`;
/** Words that introduce a house, building, flat, floor or postal number. */
const MARKERS = [
  // Ukrainian and Russian
  'будинок', 'будинку', 'буд', 'б', 'дім', 'дом', 'д', 'квартира', 'кв', 'корпус', 'корп', 'к', 'секція', 'під[\'’ʼ]?їзд', 'подъезд', 'під', 'поверх', 'пов', 'этаж', 'офіс', 'оф', 'кімн', 'літ', 'індекс',
  // English
  'house', 'no', 'nr', 'number', 'flat', 'apartment', 'apt', 'unit', 'suite', 'ste', 'building', 'bldg', 'block', 'floor', 'fl', 'room', 'rm', 'zip', 'postcode',
  // Persian
  'پلاک', 'واحد', 'طبقه', 'کد\\s?پستی', 'زنگ', 'شماره',
].join('|');
const MARKED_NUMBER = new RegExp(`(?<![\\p{L}\\p{N}])(?:(?:${MARKERS})\\.?\\s*(?:№|#)?\\s*|№\\s*|#\\s*)${NUM}`, 'giu');
const ONLY_NUMBER = new RegExp(`^${NUM}$`, 'u');
const TRAILING_NUMBER = new RegExp(`\\s+${NUM}$`, 'u');
const LEADING_LATIN_NUMBER = new RegExp(`^${NUM}\\s+(?=[A-Za-z])`, 'u');

/**
 * The problem's address without house, building and flat numbers: "вул. Шевченка, 12, кв. 3"
 * → "вул. Шевченка"; "просп. Миру, буд. 12а" → "просп. Миру"; "12 Main Street" → "Main Street".
 * Numbers that are part of the street's name ("вул. 8 Березня") stay. Empty, or only an
 * Open311 `address_id` ("address_id: 545483"), → null.
 */
export function publicAddress(address: string): string | null {
  if (/^\s*address_id:/.test(address)) return null; // an Open311 client's address id (routes.ts)
  const parts = address
    .replace(/\s+/g, ' ')
    .split(/[,;،؛]/u)
    .map((part) => {
      let p = part.replace(MARKED_NUMBER, ' ').replace(/\s+/g, ' ').trim();
      if (ONLY_NUMBER.test(p)) return '';
      p = p.replace(TRAILING_NUMBER, '').replace(LEADING_LATIN_NUMBER, '').trim();
      return ONLY_NUMBER.test(p) ? '' : p;
    })
    .map((p) => p.replace(/^[\s.:\-–—]+|[\s:\-–—]+$/gu, ''))
    .filter((p) => p && /[\p{L}]/u.test(p));
  return parts.length ? parts.join(', ') : null;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
const PHONE = /(?<![\p{L}\p{N}])\+?(?:[0-9][\s().-]{0,2}){9,15}(?![\p{N}])/gu;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The description for the public list: the applicant's own name, contacts and postal
 * address are cut out, as are anything that looks like an e-mail or a phone number, and the
 * problem's address is shown without its house number. Capped at the spec's 4000 characters. */
export function publicDescription(a: Pick<AppealRow, 'description' | 'address' | 'applicant_name' | 'applicant_phone' | 'applicant_email' | 'applicant_address'>): string {
  let text = a.description;
  const cut = (s: string | null | undefined, by = '…') => {
    const v = s?.trim();
    if (v && v.length >= 3) text = text.replace(new RegExp(escapeRe(v), 'giu'), by);
  };
  cut(a.applicant_address);
  if (a.address) cut(a.address, publicAddress(a.address) ?? '…');
  cut(a.applicant_email);
  cut(a.applicant_phone);
  cut(a.applicant_name);
  for (const part of (a.applicant_name ?? '').split(/\s+/)) if (part.length >= 3) cut(part);
  text = text.replace(EMAIL, '…').replace(PHONE, ' … ').replace(/[ \t]{2,}/g, ' ').trim();
  return text.length > DESCRIPTION_MAX ? `${text.slice(0, DESCRIPTION_MAX - 1)}…` : text;
}

/* ---------------------------------------------------------------- XML writer */

export type XmlValue = string | number | boolean | null | undefined | XmlNode[];
export type XmlNode = { name: string; value: XmlValue };

export const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // characters XML 1.0 does not allow at all
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');

export const el = (name: string, value: XmlValue): XmlNode => ({ name, value });

function write(n: XmlNode): string {
  const v = n.value;
  if (v === null || v === undefined) return `<${n.name}/>`;
  if (Array.isArray(v)) return `<${n.name}>${v.map(write).join('')}</${n.name}>`;
  return `<${n.name}>${escapeXml(String(v))}</${n.name}>`;
}

/** A document: the XML declaration the spec asks for, then the root element. */
export const xmlDocument = (root: XmlNode) => `<?xml version="1.0" encoding="utf-8"?>\n${write(root)}\n`;

/** A flat object's fields as child elements, in their order; arrays are listed with `itemName`. */
export function fields(obj: Record<string, unknown>, itemNames: Record<string, string> = {}): XmlNode[] {
  return Object.entries(obj).map(([k, v]) => {
    if (Array.isArray(v)) {
      const item = itemNames[k] ?? 'item';
      return el(k, v.map((x) => (x !== null && typeof x === 'object' ? el(item, fields(x as Record<string, unknown>, itemNames)) : el(item, x as XmlValue))));
    }
    if (v !== null && typeof v === 'object') return el(k, fields(v as Record<string, unknown>, itemNames));
    return el(k, v as XmlValue);
  });
}

export const servicesXml = (services: Open311Service[]) => xmlDocument(el('services', services.map((s) => el('service', fields(s)))));
export const serviceDefinitionXml = (d: ReturnType<typeof toServiceDefinition>) => xmlDocument(el('service_definition', fields(d, { attributes: 'attribute', values: 'value' })));
export const requestsXml = (requests: Record<string, unknown>[]) => xmlDocument(el('service_requests', requests.map((r) => el('request', fields(r)))));
export const errorsXml = (errors: { code: number; description: string }[]) => xmlDocument(el('errors', errors.map((e) => el('error', fields(e)))));

export type Discovery = {
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: { specification: string; url: string; changeset: string; type: 'production' | 'test'; formats: string[] }[];
};
export const discoveryXml = (d: Discovery) => xmlDocument(el('discovery', fields(d, { endpoints: 'endpoint', formats: 'format' })));
