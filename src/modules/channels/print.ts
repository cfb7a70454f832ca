// Print: the material laid out for a newspaper column (A4, two columns) as a PDF.
// DejaVu Sans (Debian's fonts-dejavu-core) carries Cyrillic and Arabic-script glyphs.
//
// Right-to-left text (Persian, or any material with Arabic-script/Hebrew letters) is laid
// out here rather than by pdfkit's own wrapper, which orders words left to right:
// 1. each paragraph gets its bidi embedding levels (Unicode bidi algorithm, `bidi-js`);
// 2. lines are broken in logical order by measured width (doc.widthOfString);
// 3. each line is cut into level runs, the runs are put in visual order (rule L2) and
//    drawn one by one, right-aligned; columns are read right to left.
// Joining (init/medi/fina forms) is fontkit's Arabic shaper working on DejaVu's GSUB: a run
// is handed over in logical order whenever fontkit will reverse it itself, so the letters
// join as in the original. Pure left-to-right materials keep pdfkit's justified columns.
import { existsSync } from 'node:fs';
import bidiModule from 'bidi-js';
import PDFDocument from 'pdfkit';
import type { Publication } from './types.ts';

const FONTS = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];
const MARGIN = 48;
const GAP = 18;

// bidi-js is CommonJS: its module.exports is the factory, which its typings call `default`.
const bidi = (bidiModule as unknown as typeof bidiModule.default)();
export const embeddingLevels = (s: string, dir: 'ltr' | 'rtl') => bidi.getEmbeddingLevels(s, dir).levels;
const RTL_SCRIPT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u;
const SCRIPTED = /[^\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]/u;
/** Any features array makes pdfkit hand a whole run to fontkit at once (not word by word). */
const FEATURES: never[] = [];

type Doc = InstanceType<typeof PDFDocument>;

export function printPdf(p: Publication): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: p.title, Producer: 'CityDesk' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const [regular, bold] = FONTS.every(existsSync) ? FONTS : ['Helvetica', 'Helvetica-Bold'];
    const rtl = p.lang === 'fa';
    if (rtl || [p.title, p.lead, p.bodyText].some((s) => RTL_SCRIPT.test(s))) bidiLayout(doc, p, rtl ? 'rtl' : 'ltr', regular, bold);
    else {
      doc.font(bold).fontSize(22).text(p.title);
      doc.moveDown(0.5);
      if (p.lead) doc.font(bold).fontSize(12).text(p.lead);
      doc.moveDown(0.8);
      doc.font(regular).fontSize(10.5).text(p.bodyText, { columns: 2, columnGap: GAP, align: 'justify', lineGap: 2 });
      doc.moveDown();
      doc.fontSize(8).fillColor('#555').text(p.url);
    }
    doc.end();
  });
}

function bidiLayout(doc: Doc, p: Publication, dir: 'ltr' | 'rtl', regular: string, bold: string) {
  const head = new Flow(doc, 1, dir);
  doc.font(bold).fontSize(22);
  paragraphs(doc, head, p.title, dir, 0);
  head.skip(doc.currentLineHeight(true) * 0.5);
  if (p.lead) {
    doc.font(bold).fontSize(12);
    paragraphs(doc, head, p.lead, dir, 0);
  }
  doc.font(regular).fontSize(10.5);
  const body = new Flow(doc, 2, dir, head.y + doc.currentLineHeight(true) * 0.8);
  paragraphs(doc, body, p.bodyText, dir, 3);
  doc.fontSize(8).fillColor('#555');
  paragraphs(doc, new Flow(doc, 1, dir, body.bottomUsed() + doc.currentLineHeight(true)), p.url, dir, 0);
  doc.fillColor('black');
}

/** Where the next line goes: down a column, then the next column (right to left for a
 * right-to-left material), then a new page. */
class Flow {
  y: number;
  private col = 0;
  private top: number;
  private deepest: number;
  constructor(private doc: Doc, private cols: number, private dir: 'ltr' | 'rtl', top = doc.y) {
    this.top = top;
    this.y = top;
    this.deepest = top;
  }
  get width(): number {
    return (this.doc.page.width - 2 * MARGIN - (this.cols - 1) * GAP) / this.cols;
  }
  private get x(): number {
    const slot = this.dir === 'rtl' ? this.cols - 1 - this.col : this.col;
    return MARGIN + slot * (this.width + GAP);
  }
  /** Reserves a line of height h: returns its left edge and top. */
  line(h: number): { x: number; y: number } {
    const bottom = this.doc.page.height - MARGIN;
    if (this.y + h > bottom && this.y > this.top) {
      if (++this.col >= this.cols) {
        this.doc.addPage();
        this.col = 0;
        this.top = this.doc.y;
        this.deepest = this.top;
      }
      this.y = this.top;
    }
    const at = { x: this.x, y: this.y };
    this.y += h;
    this.deepest = Math.max(this.deepest, this.y);
    return at;
  }
  skip(h: number) {
    this.y += h;
  }
  bottomUsed(): number {
    return this.deepest;
  }
}

/** Lays out text (paragraphs split at newlines) line by line into the flow. */
function paragraphs(doc: Doc, flow: Flow, text: string, dir: 'ltr' | 'rtl', paragraphGap: number) {
  const h = doc.currentLineHeight(true) + 2;
  for (const para of text.split('\n')) {
    if (!para.trim()) continue;
    const levels = embeddingLevels(para, dir);
    for (const [a, b] of breakLines(doc, para, flow.width)) {
      const pieces = visualRuns(para, levels, a, b).map((t) => ({ t, w: doc.widthOfString(t, { features: FEATURES }) }));
      const total = pieces.reduce((s, x) => s + x.w, 0);
      const at = flow.line(h);
      let x = dir === 'rtl' ? at.x + flow.width - total : at.x;
      for (const piece of pieces) {
        doc.text(piece.t, x, at.y, { lineBreak: false, features: FEATURES });
        x += piece.w;
      }
    }
    flow.skip(paragraphGap);
  }
}

/** Greedy line breaking in logical order: [start, end) of each line, spaces at the ends left out.
 * A word wider than the line (a long link) is cut where it fills the line. */
export function breakLines(doc: Pick<Doc, 'widthOfString'>, s: string, width: number): [number, number][] {
  const space = doc.widthOfString(' ');
  const lines: [number, number][] = [];
  let cur: { a: number; b: number; w: number } | null = null;
  for (const m of s.matchAll(/\S+/g)) {
    let a = m.index;
    const b = a + m[0].length;
    let w = doc.widthOfString(m[0]);
    if (cur && cur.w + space + w <= width) {
      cur = { a: cur.a, b, w: cur.w + space + w };
      continue;
    }
    if (cur) lines.push([cur.a, cur.b]);
    while (w > width && b - a > 1) {
      let k = a + 1;
      while (k < b && doc.widthOfString(s.slice(a, k + 1)) <= width) k++;
      lines.push([a, k]);
      a = k;
      w = doc.widthOfString(s.slice(a, b));
    }
    cur = { a, b, w };
  }
  if (cur) lines.push([cur.a, cur.b]);
  return lines;
}

/** One line [a, b) of a paragraph as the strings to draw from left to right. Level runs are
 * ordered by rule L2; a right-to-left run gets its mirrored brackets. fontkit reverses a run
 * by itself when its first letter of a specific script is right-to-left (and shapes it in
 * logical order first), so a run is reversed here only where fontkit will not do it, or
 * (digits inside Persian text: Arabic script, yet left to right) where it would wrongly. */
export function visualRuns(s: string, levels: Uint8Array, a: number, b: number): string[] {
  const runs: { level: number; text: string }[] = [];
  for (let i = a; i < b; ) {
    let j = i + 1;
    while (j < b && levels[j] === levels[i]) j++;
    runs.push({ level: levels[i], text: s.slice(i, j) });
    i = j;
  }
  const max = Math.max(...runs.map((r) => r.level));
  const minOdd = Math.min(...runs.map((r) => (r.level % 2 ? r.level : r.level + 1)));
  for (let lvl = max; lvl >= minOdd; lvl--) {
    for (let i = 0; i < runs.length; ) {
      if (runs[i].level < lvl) {
        i++;
        continue;
      }
      let j = i;
      while (j < runs.length && runs[j].level >= lvl) j++;
      runs.splice(i, j - i, ...runs.slice(i, j).reverse());
      i = j;
    }
  }
  return runs.map(({ level, text }) => {
    const odd = level % 2 === 1;
    const t = odd ? [...text].map((c) => bidi.getMirroredCharacter(c) ?? c).join('') : text;
    return odd === fontkitReverses(t) ? t : [...t].reverse().join('');
  });
}

/** fontkit's rule: a run is right to left when its first character of a specific script is. */
export function fontkitReverses(t: string): boolean {
  const m = SCRIPTED.exec(t);
  return !!m && RTL_SCRIPT.test(m[0]);
}
