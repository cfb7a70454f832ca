// The print PDF in Persian: letters joined, words in right-to-left order, digits and Latin
// words left to right inside it. The PDF is read back with pdftotext (poppler-utils, which
// has its own bidi reordering) and its ToUnicode maps are inspected for contextual forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { embeddingLevels, printPdf, visualRuns } from './print.ts';
import type { Publication } from './types.ts';

const haveTools = existsSync('/usr/bin/pdftotext') && existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');
const skip = haveTools ? false : 'needs poppler-utils (pdftotext) and fonts-dejavu-core';

const TITLE = 'تعمیر پل مرکزی شهر در سال ۱۴۰۵';
const SENTENCE = 'کارگران شهرداری امروز کار تعمیر پل مرکزی را آغاز کردند';
const pub = (over: Partial<Publication>): Publication => ({
  sourceType: 'material', sourceId: '00000000-0000-0000-0000-000000000001', version: 1, lang: 'fa', title: TITLE,
  lead: 'شهرداری: کار تعمیر پل از ۱۲ اردیبهشت آغاز شد (هزینه 3.5 میلیون)',
  bodyHtml: '', bodyText: Array.from({ length: 60 }, (_, i) => `بند ${i + 1}: ${SENTENCE}. ترافیک از خیابان Shevchenko عبور می‌کند.`).join('\n'),
  url: 'https://city.example/fa/news/bridge', images: [], tags: [], urgent: false, ...over,
});

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'print-'));
  try {
    writeFileSync(join(dir, 'p.pdf'), pdf);
    // pdftotext marks right-to-left and left-to-right stretches with U+202A–U+202C.
    return execFileSync('pdftotext', [join(dir, 'p.pdf'), '-'], { encoding: 'utf8' }).replace(/[\u202a-\u202e]/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For each embedded font: how many different glyphs stand for each character (ToUnicode). */
function glyphsPerChar(pdf: Buffer): Map<string, number>[] {
  const s = pdf.toString('latin1');
  const maps: Map<string, number>[] = [];
  for (const m of s.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    let text: string;
    try {
      text = inflateSync(pdf.subarray(start, s.indexOf('endstream', start))).toString('latin1');
    } catch {
      continue;
    }
    if (!text.includes('beginbfrange')) continue;
    const counts = new Map<string, number>();
    for (const [, hex] of text.matchAll(/<([0-9a-f]{4})>/gi)) {
      const ch = String.fromCharCode(parseInt(hex, 16));
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    maps.push(counts);
  }
  return maps;
}

/** The words of a text in order, without punctuation: pdftotext places neutrals (spaces, colons,
 * brackets) at the edges of embedded left-to-right stretches in its own way. */
const words = (t: string) => (t.match(/[\p{L}\p{N}]+(?:\.\p{N}+)?/gu) ?? []).join(' ');

test('a Persian material prints in logical reading order with digits and Latin kept left to right', { skip }, async () => {
  const text = pdfText(await printPdf(pub({})));
  assert.equal(words(text.trim().split('\n')[0]), TITLE, 'the headline on one line, in reading order');
  const all = words(text);
  assert.ok(all.includes('شهرداری کار تعمیر پل از ۱۲ اردیبهشت آغاز شد هزینه 3.5 میلیون'), all.slice(0, 300));
  // Lines are broken before they are reordered: the sentence reads on from one line to the next.
  assert.ok(all.includes(`بند 1 ${SENTENCE} ترافیک از خیابان Shevchenko عبور`), all.slice(0, 500));
  assert.ok(all.includes(`بند 45 ${SENTENCE}`), 'the body flows on into the next column and page');
  assert.ok(text.includes('https://city.example/fa/news/bridge'));
});

test('Persian letters are joined: one letter is drawn with several contextual glyphs', { skip }, async () => {
  const maps = glyphsPerChar(await printPdf(pub({})));
  assert.ok(maps.length >= 1);
  // ه (U+0647) occurs initial (هزینه) and medial (شهرداری) in the sample, ی (U+06CC) medial
  // (میلیون) and final (مرکزی), م initial (مرکزی) and medial (امروز). Unjoined text would use
  // one (isolated) glyph per letter.
  const most = (ch: string) => Math.max(...maps.map((m) => m.get(ch) ?? 0));
  assert.ok(most('\u0647') >= 2, 'ه in more than one form');
  assert.ok(most('\u06cc') >= 2, 'ی in more than one form');
  assert.ok(most('\u0645') >= 2, 'م in more than one form');
});

test('a Ukrainian material keeps the left-to-right layout', { skip }, async () => {
  const text = pdfText(await printPdf(pub({ lang: 'uk', title: 'Ремонт мосту у 2026 році', lead: 'Міська рада', bodyText: 'Працівники розпочали ремонт.' })));
  assert.match(text, /Ремонт мосту у 2026 році/);
  assert.match(text, /Працівники розпочали ремонт\./);
});

test('line runs are put in visual order; digits inside Persian stay left to right', () => {
  const s = 'سال ۱۴۰۵ و (Kyiv 2026)';
  const runs = visualRuns(s, embeddingLevels(s, 'rtl'), 0, s.length);
  // Leftmost first. fontkit reverses runs of Arabic script itself (after joining their letters),
  // so Persian runs are handed over in logical order and Persian digits pre-reversed.
  // Brackets at right-to-left levels are mirrored: the bracket drawn leftmost is "(".
  assert.deepEqual(runs, ['(', 'Kyiv 2026', ' و )', '۵۰۴۱', 'سال ']);
});
