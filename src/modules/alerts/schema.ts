import { z } from 'zod';

export const EVENTS = ['shelling', 'severe_weather', 'fire', 'bomb_threat', 'uxo', 'co_poisoning', 'network_accident', 'traffic_change', 'outage', 'other'] as const;
export type AlertEvent = (typeof EVENTS)[number];
/** CAP's <category> for each event. */
export const CAP_CATEGORY: Record<AlertEvent, string> = {
  shelling: 'Security', severe_weather: 'Met', fire: 'Fire', bomb_threat: 'Security', uxo: 'Safety',
  co_poisoning: 'Health', network_accident: 'Infra', traffic_change: 'Transport', outage: 'Infra', other: 'Other',
};
export const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

const text = (max: number) => z.string().trim().max(max);
const LangText = z.object({ headline: text(160), description: text(4000).default(''), instruction: text(2000).default('') });

export const AlertInput = z.object({
  event: z.enum(EVENTS),
  severity: z.enum(SEVERITIES).default('Severe'),
  urgency: z.enum(URGENCIES).default('Immediate'),
  certainty: z.enum(CERTAINTIES).default('Observed'),
  texts: z.object({ uk: LangText.optional(), en: LangText.optional(), fa: LangText.optional() }),
  area_desc: z.object({ uk: text(300).optional(), en: text(300).optional(), fa: text(300).optional() }).default({}),
  /** CAP's own notation: "lat,lon lat,lon …", one string per polygon. */
  polygons: z.array(z.string().max(20_000)).max(20).default([]),
  /** Districts of the address register, by key (none: the whole community, or the polygons). */
  districts: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  expires_in_hours: z.coerce.number().int().min(1).max(72).default(6),
});
export type AlertInput = z.input<typeof AlertInput>;

type Point = [number, number];
export type PolygonError = { key: 'alerts.error.polygon_open' | 'alerts.error.polygon_short' | 'alerts.error.polygon_crosses' | 'alerts.error.polygon_format' | 'alerts.error.polygon_range'; n: number };

/** Reads and checks polygons: closed rings of at least three distinct points that do not
 * cross themselves. Returns the rings, or the first problem with the polygon's number. */
export function parsePolygons(rings: string[]): { ok: true; polygons: Point[][] } | { ok: false; error: PolygonError } {
  const out: Point[][] = [];
  for (const [i, ring] of rings.map((r) => r.trim()).filter(Boolean).entries()) {
    const n = i + 1;
    const pts: Point[] = [];
    for (const pair of ring.split(/\s+/)) {
      const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(pair);
      if (!m) return { ok: false, error: { key: 'alerts.error.polygon_format', n } };
      const p: Point = [Number(m[1]), Number(m[2])];
      if (Math.abs(p[0]) > 90 || Math.abs(p[1]) > 180) return { ok: false, error: { key: 'alerts.error.polygon_range', n } };
      pts.push(p);
    }
    const first = pts[0];
    const last = pts[pts.length - 1];
    if (pts.length < 2 || first[0] !== last[0] || first[1] !== last[1]) return { ok: false, error: { key: 'alerts.error.polygon_open', n } };
    if (new Set(pts.slice(0, -1).map((p) => p.join(','))).size < 3) return { ok: false, error: { key: 'alerts.error.polygon_short', n } };
    if (selfIntersects(pts)) return { ok: false, error: { key: 'alerts.error.polygon_crosses', n } };
    out.push(pts);
  }
  return { ok: true, polygons: out };
}

const orient = (a: Point, b: Point, c: Point) => Math.sign((b[1] - a[1]) * (c[0] - b[0]) - (b[0] - a[0]) * (c[1] - b[1]));
const onSegment = (a: Point, b: Point, c: Point) =>
  Math.min(a[0], c[0]) <= b[0] && b[0] <= Math.max(a[0], c[0]) && Math.min(a[1], c[1]) <= b[1] && b[1] <= Math.max(a[1], c[1]);

function segmentsCross(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const o1 = orient(p1, p2, q1), o2 = orient(p1, p2, q2), o3 = orient(q1, q2, p1), o4 = orient(q1, q2, p2);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(p1, q1, p2)) || (o2 === 0 && onSegment(p1, q2, p2)) || (o3 === 0 && onSegment(q1, p1, q2)) || (o4 === 0 && onSegment(q1, p2, q2));
}

/** Any two edges that are not neighbours touch: the ring crosses itself. O(n²), rings are small. */
function selfIntersects(ring: Point[]): boolean {
  const n = ring.length - 1; // edges; the ring is closed
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentsCross(ring[i], ring[i + 1], ring[j], ring[j + 1])) return true;
    }
  }
  return false;
}
