import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import { t } from '../../i18n/i18n.ts';
import { fileAppeal, type AppealsCtx } from './service.ts';
import { columnLabel, columnsFor, exportPolicy } from './export.ts';
import { csvCell, guardFormula } from './export-format.ts';

describe('appeals export: CSV and XLSX, columns by role', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const staff = new Map<string, Client>();

  before(async () => {
    app = await startTestApp();
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    const cats = await withCommunity(app.app.db, community.id, (tx) => tx.selectFrom('appeal_categories').select(['id', 'code']).execute());
    const cat = (code: string) => cats.find((c) => c.code === code)!.id;
    await withCommunity(app.app.db, community.id, async (tx) => {
      const ctx: AppealsCtx = { tx, queue: app.app.queue, actor: systemActor(community.id), community, secret: app.app.secret, followUrl: () => 'x', rateUrl: () => 'x' };
      const file = (category: string, description: string, applicant: Record<string, string>, confidential = false) =>
        fileAppeal(ctx, { category_id: cat(category), description, address: 'вул. Шевченка, 12', applicant, confidential }, { channel: 'phone', lang: 'uk' });
      await file('water-leak', 'Тече вода з-під асфальту, другий день', { name: 'Олена Коваль', phone: '+380501112233', email: 'olena@example.org', address: 'вул. Шевченка, 12, кв. 3' });
      await file('water-leak', 'Просимо не розголошувати: тече труба у підвалі', { name: 'Таємна Заявниця', phone: '+380507778899', address: 'вул. Франка, 4' }, true);
      await file('pothole', '=HYPERLINK("http://evil.example","click") яма на дорозі', { name: 'Петро Шевчук', phone: '+380671234567', address: 'вул. Січових Стрільців, 7' });
    });
    for (const email of ['operator', 'controller', 'executor.water', 'mayor', 'admin', 'editor']) {
      const c = new Client(app.origin);
      await c.staffLogin('', `${email}@zelenodolsk.example`, DEMO_PASSWORD);
      staff.set(email, c);
    }
  });
  after(() => app.close());

  const csv = async (who: string, query = 'show=all') => {
    const r = await staff.get(who)!.request(`/console/appeals/export.csv?${query}`);
    return { ...r, rows: r.status === 200 ? (parse(r.text, { bom: true, relax_column_count: true }) as string[][]) : [] };
  };
  const label = (c: Parameters<typeof columnLabel>[1]) => columnLabel('uk', c);
  const cookieOf = (who: string) => [...staff.get(who)!.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

  it('the desk gets contacts; a confidential appeal’s contacts only go to the controller', async () => {
    const op = await csv('operator');
    assert.equal(op.status, 200);
    assert.match(op.headers.get('content-type')!, /text\/csv; charset=utf-8/);
    assert.match(op.headers.get('content-disposition')!, /attachment; filename="appeals-zelenodolsk-.*\.csv"/);
    const raw = Buffer.from(await (await fetch(`${app.origin}/console/appeals/export.csv`, { headers: { cookie: cookieOf('operator') } })).arrayBuffer());
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark for Excel');
    assert.deepEqual(op.rows[0], columnsFor('full').map(label));
    assert.equal(op.rows.length, 4);
    const col = (rows: string[][], c: Parameters<typeof label>[0]) => rows[0].indexOf(label(c));
    const olena = op.rows.find((r) => r[col(op.rows, 'applicant_name')] === 'Олена Коваль')!;
    assert.equal(olena[col(op.rows, 'applicant_email')], 'olena@example.org');
    assert.equal(olena[col(op.rows, 'applicant_phone')], "'+380501112233", 'a leading + is not run as a formula');
    assert.doesNotMatch(op.text, /Таємна Заявниця|7778899|Франка/, 'the operator does not get a confidential applicant');
    const ctl = await csv('controller');
    assert.match(ctl.text, /Таємна Заявниця/);
    assert.match(ctl.text, /вул\. Франка, 4/);
    const adm = await csv('admin');
    assert.equal(adm.status, 200);
    assert.doesNotMatch(adm.text, /Таємна Заявниця/, 'the community admin is not the controller of Art. 10');
  });

  it('a cell that starts a formula is defused', async () => {
    const op = await csv('operator');
    const desc = op.rows[0].indexOf(label('description'));
    const cell = op.rows.map((r) => r[desc]).find((d) => d.includes('HYPERLINK'))!;
    assert.ok(cell.startsWith("'="), cell);
    for (const s of ['=1+1', '+1', '-2', '@SUM(A1)', '\tx']) assert.ok(guardFormula(s).startsWith("'"), s);
    assert.equal(guardFormula('Шевченка, 12'), 'Шевченка, 12');
    assert.equal(csvCell('a "quoted", text', 'Europe/Kyiv'), '"a ""quoted"", text"');
    assert.equal(csvCell(new Date('2026-03-01T10:00:00Z'), 'Europe/Kyiv'), '2026-03-01 12:00');
  });

  it('an executor gets only its organisation’s appeals, without contacts; leadership gets no personal data', async () => {
    const ex = await csv('executor.water');
    assert.equal(ex.status, 200);
    assert.deepEqual(ex.rows[0], columnsFor('executor').map(label));
    assert.ok(!ex.rows[0].includes(label('applicant_name')));
    assert.equal(ex.rows.length, 3, 'two water appeals, the pothole is not theirs');
    assert.doesNotMatch(ex.text, /Олена|olena@|501112233|HYPERLINK/);
    const lead = await csv('mayor');
    assert.deepEqual(lead.rows[0], columnsFor('leadership').map(label));
    assert.equal(lead.rows.length, 4);
    assert.doesNotMatch(lead.text, /Олена|Петро|olena@|\+380|кв\. 3|Тече вода/);
    const addr = lead.rows[0].indexOf(label('address'));
    assert.ok(lead.rows.slice(1).every((r) => !/\d/.test(r[addr])), 'streets without house numbers');
    assert.equal((await staff.get('editor')!.request('/console/appeals/export.csv')).status, 403, 'no appeals role, no export');
  });

  it('the list’s filter applies, and the list page links to the export with it', async () => {
    const q = await csv('operator', `show=all&q=${encodeURIComponent('Тече вода')}`);
    assert.equal(q.rows.length, 2);
    const page = await staff.get('operator')!.request('/console/appeals?show=all&q=abc');
    assert.match(page.text, /export\.csv\?show=all&amp;q=abc/);
    assert.doesNotMatch(page.text, /appeals\/import"/, 'import is for appeals admins');
    assert.match((await staff.get('admin')!.request('/console/appeals')).text, /appeals\/import"/);
  });

  it('XLSX streams the same rows with the role’s columns, right-to-left for Persian', async () => {
    const r = await fetch(`${app.origin}/console/appeals/export.xlsx?show=all&lang=fa`, { headers: { cookie: cookieOf('executor.water') } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await r.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    assert.equal(ws.name, t('fa', 'appeals.export.sheet'));
    assert.equal(ws.rowCount, 3);
    assert.deepEqual((ws.getRow(1).values as string[]).slice(1), columnsFor('executor').map((c) => columnLabel('fa', c)));
    assert.equal(ws.views[0]?.rightToLeft, true);
    const registered = ws.getRow(2).getCell(2).value;
    assert.ok(registered instanceof Date, 'dates are date cells');
  });

  it('who gets which profile', () => {
    assert.equal(exportPolicy({ roles: ['appeals_operator'], organisationId: null })?.confidentialContacts, false);
    assert.equal(exportPolicy({ roles: ['appeals_controller'], organisationId: null })?.confidentialContacts, true);
    assert.equal(exportPolicy({ roles: ['executor'], organisationId: null }), null);
    assert.equal(exportPolicy({ roles: ['press_editor'], organisationId: null }), null);
    assert.equal(exportPolicy({ roles: ['leadership'], organisationId: null })?.profile, 'leadership');
  });
});
