import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { t } from '../../i18n/i18n.ts';
import { checkRow, isRejection, readDate, readImportCsv } from './import.ts';

const HEADER = 'number,registered_at,category,type,channel,status,description,address,applicant_name,applicant_phone,confidential,resolved_at,rating';
const GOOD = [
  '2019-000101,2019-03-12 09:15,water-leak,statement,phone,resolved,"Тече труба, вода на дорозі",вул. Шевченка 12,Олена Коваль,+380501112233,ні,2019-03-13 10:00,5',
  '2019-000102,12.03.2019,"Ями на дорозі, пошкоджене покриття",скарга,телефон,closed,Яма біля школи,,,,,,',
  'В-77/2018,2018-11-02,pothole,,,in_progress,Старе звернення ще в роботі,просп. Миру 3,,,,,',
];
const BAD = [
  '2019-000103,2019-13-40,water-leak,,,,Дата неправильна,,,,,,', // bad date
  '2019-000104,2019-03-12,no-such-category,,,,Невідома категорія,,,,,,',
  ',2019-03-12,water-leak,,,,Без номера,,,,,,',
  '2019-000101,2019-03-12,water-leak,,,,Той самий номер ще раз,,,,,,', // duplicate in the file
  '2019-000105,2019-03-12,water-leak,,,,Оцінка не та,,,,,,9',
];
const FILE = [HEADER, ...GOOD, ...BAD].join('\n');

describe('CSV import of historical appeals', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let admin: Client;

  before(async () => {
    app = await startTestApp();
    admin = new Client(app.origin);
    await admin.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
  });
  after(() => app.close());

  async function runToEnd(text: string) {
    const r = await admin.post('/console/appeals/import', { text }, '/console/appeals/import');
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const url = r.location!;
    for (let i = 0; i < 120; i++) {
      const page = await admin.request(url);
      if (!page.headers.get('refresh')) return page;
      await new Promise((ok) => setTimeout(ok, 250));
    }
    throw new Error('the import did not finish');
  }
  const count = async (like: string) => Number((await sql<{ n: string }>`select count(*) as n from appeals where number like ${like}`.execute(app.app.db)).rows[0].n);

  it('good rows become appeals with their own dates and status; bad rows are reported in the user’s language', async () => {
    const page = await runToEnd(FILE);
    assert.match(page.text, /data-testid="progress">8 з 8 рядків \(100%\)/);
    assert.match(page.text, /data-testid="created">3</);
    assert.match(page.text, /data-testid="rejected">5</);
    for (const reason of ['bad_date', 'unknown_category', 'required', 'duplicate_in_file', 'bad_rating'] as const) {
      assert.ok(page.text.includes(t('uk', `appeals.import.reason.${reason}`).replace(/"/g, '&quot;')), reason);
    }
    const a = (await sql<{ status: string; created_at: Date; resolved_at: Date | null; rating: number | null; notify_via: string; applicant_name: string | null }>`
      select status, created_at, resolved_at, rating, notify_via, applicant_name from appeals where number = '2019-000101'`.execute(app.app.db)).rows[0];
    assert.equal(a.status, 'resolved');
    assert.equal(a.created_at.toISOString(), '2019-03-12T07:15:00.000Z', 'local time of the community (Kyiv, UTC+2 in March)');
    assert.equal(a.resolved_at?.toISOString(), '2019-03-13T08:00:00.000Z');
    assert.equal(a.rating, 5);
    assert.equal(a.notify_via, 'none', 'nobody is messaged about history');
    assert.equal(a.applicant_name, 'Олена Коваль');
    const b = (await sql<{ type: string; channel: string; code: string }>`
      select a.type, a.channel, c.code from appeals a join appeal_categories c on c.id = a.category_id where a.number = '2019-000102'`.execute(app.app.db)).rows[0];
    assert.deepEqual(b, { type: 'complaint', channel: 'phone', code: 'pothole' }, 'labels in Ukrainian are understood');
    const marked = await sql<{ n: string }>`select count(*) as n from appeal_imported`.execute(app.app.db);
    assert.equal(Number(marked.rows[0].n), 3, 'imported appeals are marked');
    const alerts = await sql<{ n: string }>`select count(*) as n from appeal_alerts a join appeals x on x.id = a.appeal_id where x.number = 'В-77/2018'`.execute(app.app.db);
    assert.equal(Number(alerts.rows[0].n), 2, 'a target missed in 2018 raises no alert today');
    const counter = await sql<{ last: number }>`select last from appeal_counters where year = 2019`.execute(app.app.db);
    assert.ok(counter.rows[0].last >= 102, 'the year’s counter moves past imported numbers');
  });

  it('a re-run of the same file creates nothing twice', async () => {
    const before = await count('%');
    const page = await runToEnd(FILE);
    assert.match(page.text, /data-testid="created">0</);
    assert.match(page.text, /data-testid="skipped">3</);
    assert.equal(await count('%'), before);
  });

  it('a file without the required columns is refused as a whole, and the text is kept', async () => {
    const text = 'number,category\n1,water-leak';
    const r = await admin.post('/console/appeals/import', { text }, '/console/appeals/import');
    assert.equal(r.status, 400);
    assert.match(r.text, /registered_at, description/);
    assert.ok(r.text.includes('number,category'), 'what the user pasted stays in the form');
    const fa = await admin.post('/console/appeals/import?lang=fa', { text: '' }, '/console/appeals/import');
    assert.equal(fa.status, 400);
    assert.ok(fa.text.includes(t('fa', 'appeals.import.error.no_file')));
  });

  it('a CSV file uploaded from old Excel (Windows-1251, semicolons) is read as well', async () => {
    const _csrf = await admin.csrf('/console/appeals/import');
    const text = 'number;registered_at;category;description\r\nW-1251;2017-06-01;water-leak;Тече кран у дворі\r\n';
    const bytes = Buffer.from([...text].map((ch) => {
      const c = ch.codePointAt(0)!;
      if (c < 128) return c;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0; // А..я in Windows-1251
      return ({ 0x456: 0xb3, 0x406: 0xb2, 0x457: 0xbf, 0x454: 0xba } as Record<number, number>)[c] ?? 0x3f;
    }));
    const form = new FormData();
    form.append('_csrf', _csrf);
    form.append('file', new Blob([bytes], { type: 'text/csv' }), 'old-register.csv');
    const r = await fetch(`${app.origin}/console/appeals/import`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(r.status, 303, await r.text());
    for (let i = 0; i < 120 && !(await count('W-1251')); i++) await new Promise((ok) => setTimeout(ok, 250));
    const row = (await sql<{ description: string }>`select description from appeals where number = 'W-1251'`.execute(app.app.db)).rows[0];
    assert.equal(row?.description, 'Тече кран у дворі');
    assert.match((await admin.request('/console/appeals/import')).text, /old-register\.csv/);
  });

  it('only appeals admins may import', async () => {
    const op = new Client(app.origin);
    await op.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await op.request('/console/appeals/import')).status, 403);
  });

  it('reads dates and rows without a database', () => {
    assert.equal(readDate('2024-02-30', 'Europe/Kyiv'), null);
    assert.equal(readDate('2024-03-12T14:05', 'Europe/Kyiv')?.toISOString(), '2024-03-12T12:05:00.000Z');
    assert.equal(readDate('1.3.2024 08:00', 'Asia/Tehran')?.toISOString(), '2024-03-01T04:30:00.000Z');
    const rows = readImportCsv('\uFEFFНомер;Зареєстровано;Категорія;Зміст\n1;2024-01-01;x;y\n');
    assert.deepEqual(rows[0].cells, { number: '1', registered_at: '2024-01-01', category: 'x', description: 'y' }, 'the export’s Ukrainian titles and “;” are read');
    const cats = [{ id: 'c1', code: 'water', names: { uk: 'Вода' } }];
    const future = checkRow({ number: '1', registered_at: '2999-01-01', category: 'water', description: 'x' }, cats, 'Europe/Kyiv');
    assert.ok(isRejection(future) && future.reason === 'future_date');
    const mail = checkRow({ number: '1', registered_at: '2020-01-01', category: 'вода', description: 'x', applicant_email: 'nope' }, cats, 'Europe/Kyiv');
    assert.ok(isRejection(mail) && mail.reason === 'bad_email');
    assert.throws(() => readImportCsv('a,"b\n1,2'), /not_csv|invalid/i);
  });
});
