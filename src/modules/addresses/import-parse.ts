// Reading register files (CSV, OpenStreetMap XML, GeoJSON) into one shape. Nothing here
// touches the database: a bad row becomes a rejected row with a reason, never a guess.
import { parse as parseCsv } from 'csv-parse/sync';
import type { Lang, Texts } from '../../db/types.ts';
import { bareName, kindOf, normaliseNumber, normaliseText, parseStreetName } from './normalise.ts';
import type { RejectedRow, StreetKind } from './tables.ts';

export type ImportStreet = { key: string; kind: StreetKind; names: Texts; former: string[]; district: string | null };
export type ImportBuilding = { street: string; number: string; numberKey: string; lat: number | null; lon: number | null; district: string | null };
export type ParsedFile = { streets: Map<string, ImportStreet>; buildings: ImportBuilding[]; rejected: RejectedRow[]; rows: number };

export class BadFile extends Error {}

const LANGS: Lang[] = ['uk', 'en', 'fa'];
const NUMBER_OK = /^\d{1,5}[\p{L}]?(\/\d{1,4}[\p{L}]?)?$/u;

/** Collects streets and buildings; the same street named twice is one street. */
class Collector {
  streets = new Map<string, ImportStreet>();
  buildings: ImportBuilding[] = [];
  rejected: RejectedRow[] = [];
  rows = 0;
  constructor(readonly defaultLang: Lang) {}

  reject(line: number, reason: string, text: string) {
    this.rejected.push({ line, reason, text: text.slice(0, 200) });
  }

  /** Adds (or merges) a street; returns its reference, or null when it has no name. */
  street(names: Texts, kindWord: string | null | undefined, former: string[], district: string | null): string | null | 'bad_kind' {
    const primary = names[this.defaultLang] ?? LANGS.map((l) => names[l]).find(Boolean);
    if (!primary?.trim()) return null;
    const parsed = parseStreetName(primary);
    const kind = kindWord?.trim() ? kindOf(kindWord) : (parsed.kind ?? 'street');
    if (!kind) return 'bad_kind';
    if (!parsed.key) return null;
    const ref = `${kind}|${parsed.key}`;
    const clean: Texts = Object.fromEntries(Object.entries(names).filter(([, v]) => v?.trim()).map(([l, v]) => [l, bareName(v!)]));
    const seen = this.streets.get(ref);
    const formerClean = former.map((f) => f.trim()).filter(Boolean);
    if (seen) {
      seen.names = { ...seen.names, ...clean };
      seen.former = [...new Set([...seen.former, ...formerClean])];
      seen.district ??= district;
    } else this.streets.set(ref, { key: parsed.key, kind, names: clean, former: formerClean, district });
    return ref;
  }

  building(line: number, ref: string, number: string, lat: unknown, lon: unknown, district: string | null, text: string) {
    const numberKey = normaliseNumber(number);
    if (!NUMBER_OK.test(numberKey)) return this.reject(line, 'addresses.reject.bad_number', text);
    const la = lat === undefined || lat === null || lat === '' ? null : Number(lat);
    const lo = lon === undefined || lon === null || lon === '' ? null : Number(lon);
    if ((la === null) !== (lo === null) || (la !== null && !(Math.abs(la) <= 90 && Math.abs(lo!) <= 180))) {
      return this.reject(line, 'addresses.reject.bad_coordinates', text);
    }
    this.buildings.push({ street: ref, number: number.trim(), numberKey, lat: la, lon: lo, district });
  }

  result(): ParsedFile {
    return { streets: this.streets, buildings: this.buildings, rejected: this.rejected, rows: this.rows };
  }
}

/** CSV, comma or semicolon separated, with a header: street (or street_uk/street_en/street_fa),
 * kind, former_names (separated by ";" or "|"), district, number, lat, lon. */
export function parseCsvFile(text: string, defaultLang: Lang): ParsedFile {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), bom: true, delimiter, skip_empty_lines: true, trim: true, relax_column_count: true, relax_quotes: true, info: true }) as never;
  } catch (e) {
    throw new BadFile((e as Error).message.slice(0, 200));
  }
  const c = new Collector(defaultLang);
  for (const { record: r, info } of records) {
    c.rows++;
    const line = info.lines;
    const raw = Object.values(r).join(delimiter);
    const names: Texts = { [defaultLang]: r.street || r[`street_${defaultLang}`] };
    for (const l of LANGS) if (r[`street_${l}`]) names[l] = r[`street_${l}`];
    const district = r.district?.trim() || null;
    const ref = c.street(names, r.kind, (r.former_names ?? '').split(/[;|]/), district);
    if (ref === null) { c.reject(line, 'addresses.reject.no_street', raw); continue; }
    if (ref === 'bad_kind') { c.reject(line, 'addresses.reject.bad_kind', raw); continue; }
    if (r.number?.trim()) c.building(line, ref, r.number, r.lat, r.lon, district, raw);
    else if (r.lat || r.lon) c.reject(line, 'addresses.reject.bad_number', raw);
  }
  return c.result();
}

type Tags = Record<string, string>;

/** Names of an OSM object per language, and its former names (old_name, old_name:uk…). */
function osmNames(tags: Tags, defaultLang: Lang): { names: Texts; former: string[] } {
  const names: Texts = {};
  if (tags.name) names[defaultLang] = tags.name;
  for (const l of LANGS) if (tags[`name:${l}`]) names[l] = tags[`name:${l}`];
  const former = Object.entries(tags).filter(([k]) => k === 'old_name' || k.startsWith('old_name:')).flatMap(([, v]) => v.split(';'));
  return { names, former };
}

/** Streets and addressed buildings from OSM-style tags (shared by .osm XML and GeoJSON). */
function fromTagged(c: Collector, items: { tags: Tags; point: [number, number] | null; line: number; text: string }[]) {
  for (const it of items) {
    const { tags } = it;
    if ((tags.highway || tags.place === 'square') && tags.name) {
      c.rows++;
      const { names, former } = osmNames(tags, c.defaultLang);
      c.street(names, tags.place === 'square' ? 'square' : tags.kind || null, former, tags['addr:suburb'] || null);
    }
  }
  for (const it of items) {
    const { tags } = it;
    if (!tags['addr:housenumber']) continue;
    c.rows++;
    const streetName = tags['addr:street'] ?? tags['addr:place'];
    const ref = streetName ? c.street({ [c.defaultLang]: streetName }, null, [], null) : null;
    if (!ref || ref === 'bad_kind') { c.reject(it.line, 'addresses.reject.no_street', it.text); continue; }
    const district = tags['addr:suburb'] ?? tags['addr:district'] ?? null;
    for (const n of tags['addr:housenumber'].split(/[;,]/)) c.building(it.line, ref, n, it.point?.[0], it.point?.[1], district, it.text);
  }
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(#x?[0-9a-f]+|\w+);/gi, (m, e: string) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITY[e] ?? m)));
const attrs = (s: string) => Object.fromEntries([...s.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((m) => [m[1], decode(m[2] ?? m[3])]));

/** OpenStreetMap XML (.osm): nodes, ways (centroid of their nodes), their tags. OSM files are
 * machine-written and flat, so a tokenizer is enough; relations are skipped. */
export function parseOsmFile(text: string, defaultLang: Lang): ParsedFile {
  if (!/<osm[\s>]/.test(text.slice(0, 2000))) throw new BadFile('not an OpenStreetMap XML file (<osm> is missing)');
  const coords = new Map<string, [number, number]>();
  const items: { tags: Tags; point: [number, number] | null; line: number; text: string }[] = [];
  let current: { kind: string; id: string; tags: Tags; refs: string[]; point: [number, number] | null } | null = null;
  const finish = () => {
    if (!current) return;
    let point = current.point;
    if (current.kind === 'way') {
      const pts = current.refs.map((r) => coords.get(r)).filter((p): p is [number, number] => !!p);
      point = pts.length ? [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length] : null;
    }
    if (Object.keys(current.tags).length) items.push({ tags: current.tags, point, line: items.length + 1, text: `${current.kind} ${current.id}` });
    current = null;
  };
  for (const m of text.matchAll(/<(\/?)(node|way|relation|tag|nd)\b([^>]*?)(\/?)>/g)) {
    const [, closing, name, body, selfClosing] = m;
    if (closing) { if (name !== 'tag' && name !== 'nd') finish(); continue; }
    const a = attrs(body);
    if (name === 'node' || name === 'way' || name === 'relation') {
      finish();
      const point: [number, number] | null = a.lat !== undefined ? [Number(a.lat), Number(a.lon)] : null;
      if (name === 'node' && point) coords.set(a.id, point);
      current = name === 'relation' ? null : { kind: name, id: a.id, tags: {}, refs: [], point };
      if (selfClosing) finish();
    } else if (current && name === 'tag' && a.k) current.tags[a.k] = a.v ?? '';
    else if (current && name === 'nd' && a.ref) current.refs.push(a.ref);
  }
  finish();
  const c = new Collector(defaultLang);
  fromTagged(c, items);
  return c.result();
}

type Geometry = { type: string; coordinates: unknown };

/** A point for a feature: the point itself, or the mean of a polygon's outer ring. */
function centre(g: Geometry | null | undefined): [number, number] | null {
  if (!g) return null;
  const ring = g.type === 'Point' ? [g.coordinates] : g.type === 'Polygon' ? (g.coordinates as unknown[])[0] : g.type === 'MultiPolygon' ? (g.coordinates as unknown[][])[0]?.[0] : null;
  if (!Array.isArray(ring) || !ring.length) return null;
  const pts = ring as [number, number][];
  // GeoJSON is lon, lat.
  return [pts.reduce((a, p) => a + Number(p[1]), 0) / pts.length, pts.reduce((a, p) => a + Number(p[0]), 0) / pts.length];
}

/** GeoJSON FeatureCollection with OSM-style properties (as osmtogeojson writes them), or the
 * short ones: street, number, kind, former_names, district. */
export function parseGeoJsonFile(text: string, defaultLang: Lang): ParsedFile {
  let doc: { type?: string; features?: { properties?: Record<string, unknown>; geometry?: Geometry }[] };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BadFile((e as Error).message.slice(0, 200));
  }
  if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) throw new BadFile('not a GeoJSON FeatureCollection');
  const items = doc.features.map((f, i) => {
    const p = Object.fromEntries(Object.entries(f?.properties ?? {}).map(([k, v]) => [k, v == null ? '' : String(v)])) as Tags;
    if (p.street && !p.number && !p.name) { p.name = p.street; p.highway ||= 'residential'; }
    if (p.street && !p['addr:street'] && p.number) p['addr:street'] = p.street;
    if (p.number && !p['addr:housenumber']) p['addr:housenumber'] = p.number;
    if (p.district && !p['addr:suburb']) p['addr:suburb'] = p.district;
    if (p.former_names && !p.old_name) p.old_name = p.former_names;
    if (f?.geometry?.type?.includes('LineString') && !p.highway && p.name) p.highway = 'residential';
    return { tags: p, point: centre(f?.geometry), line: i + 1, text: JSON.stringify(f?.properties ?? {}).slice(0, 200) };
  });
  const c = new Collector(defaultLang);
  fromTagged(c, items);
  return c.result();
}

export const districtKey = (name: string) => normaliseText(name);
