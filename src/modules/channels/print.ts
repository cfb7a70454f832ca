// Print: the material laid out for a newspaper column (A4, two columns) as a PDF.
// DejaVu Sans (Debian's fonts-dejavu-core) carries Cyrillic and Arabic-script glyphs.
// pdfkit does not shape Arabic script or reorder right-to-left runs, so Persian prints
// with unjoined letters: the README says so; a Persian layout needs a shaping engine.
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { Publication } from './types.ts';

const FONTS = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

export function printPdf(p: Publication): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: p.title, Producer: 'CityDesk' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const [regular, bold] = FONTS.every(existsSync) ? FONTS : ['Helvetica', 'Helvetica-Bold'];
    const rtl = p.lang === 'fa';
    const align = rtl ? 'right' : 'left';
    doc.font(bold).fontSize(22).text(p.title, { align });
    doc.moveDown(0.5);
    if (p.lead) doc.font(bold).fontSize(12).text(p.lead, { align });
    doc.moveDown(0.8);
    doc.font(regular).fontSize(10.5).text(p.bodyText, { columns: 2, columnGap: 18, align: 'justify', lineGap: 2 });
    doc.moveDown();
    doc.fontSize(8).fillColor('#555').text(p.url, { align });
    doc.end();
  });
}
