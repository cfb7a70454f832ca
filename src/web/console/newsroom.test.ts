import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';

/** Posts a multipart form (a photo) with the client's cookies and the page's form token. */
async function upload(c: Client, path: string, tokenFrom: string, fields: Record<string, string>, file: { name: string; bytes: Buffer; type: string }) {
  const fd = new FormData();
  fd.append('_csrf', await c.csrf(tokenFrom));
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('photo', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const res = await fetch(c.origin + path, { method: 'POST', body: fd, redirect: 'manual', headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

describe('newsroom in the console', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let author: Client;
  let editor: Client;
  before(async () => {
    app = await startTestApp();
    author = new Client(app.origin);
    await author.staffLogin('', 'author@zelenodolsk.example', DEMO_PASSWORD);
    editor = new Client(app.origin);
    await editor.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
  });
  after(() => app.close());

  it('an author drafts with a photo and sends it for review; an editor approves, publishes and corrects it', async () => {
    const bad = await author.post('/console/newsroom/new', { lang: 'uk', type: 'news', title: '', lead: 'Лід, який треба зберегти', body_html: '<p>x</p>', video_url: 'ftp://x' }, '/console/newsroom/new');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Лід, який треба зберегти/, 'what was typed is kept');
    assert.match(bad.text, /id="title-error"/);
    assert.match(bad.text, /id="video_url-error"[^<]*>Дайте посилання на відео/);
    const created = await author.post('/console/newsroom/new', {
      lang: 'uk', type: 'photo_report', title: 'Толока в парку Перемоги', lead: 'Мешканці висадили 40 дерев', tags: 'толока, безбар’єрність',
      body_html: '<p class=MsoNormal style="mso-line-height-alt:12pt">Дякуємо всім!<o:p></o:p></p><script>alert(1)</script>', channels: ['telegram', 'facebook'],
    }, '/console/newsroom/new');
    assert.equal(created.status, 303);
    const editorUrl = created.location!;
    const id = /materials\/([0-9a-f-]{36})/.exec(editorUrl)![1];
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#4a7' } }).png().toBuffer();
    const up = await upload(author, `/console/newsroom/materials/${id}/photos`, editorUrl, { lang: 'uk', role: 'cover', alt: '', caption: 'Толока', credit: 'Прес-служба' }, { name: 'toloka.png', bytes: png, type: 'image/png' });
    assert.equal(up.status, 303, up.text.slice(0, 300));
    const page = await author.request(editorUrl);
    assert.match(page.text, /&lt;p&gt;Дякуємо всім!&lt;\/p&gt;<\/textarea>/);
    assert.doesNotMatch(page.text, /alert\(1\)|mso-/);
    assert.match(page.text, /Немає альтернативного тексту цією мовою/);
    const vid = /versions\/([0-9a-f-]{36})\/submit/.exec(page.text)![1];
    assert.doesNotMatch(page.text, /\/publish"/, 'no publish button for an author');
    assert.equal((await author.post(`/console/newsroom/materials/${id}/versions/${vid}/publish`, {}, editorUrl)).status, 403);
    assert.equal((await author.post(`/console/newsroom/materials/${id}/versions/${vid}/submit`, {}, editorUrl)).status, 303);

    const queue = await editor.request('/console/newsroom/calendar');
    assert.equal(queue.status, 200);
    assert.match(queue.text, /data-testid="review"[\s\S]*Толока в парку Перемоги/);
    assert.equal((await editor.post(`/console/newsroom/materials/${id}/versions/${vid}/approve`, {}, editorUrl)).status, 303);
    const noAlt = await editor.post(`/console/newsroom/materials/${id}/versions/${vid}/publish`, {}, editorUrl);
    assert.equal(noAlt.status, 400);
    assert.match(noAlt.text, /В одного фото немає альтернативного тексту/);
    const mediaId = /photos\/([0-9a-f-]{36})\/text/.exec(noAlt.text)![1];
    assert.equal((await editor.post(`/console/newsroom/materials/${id}/photos/${mediaId}/text`, { lang: 'uk', alt: 'Люди садять клени біля ставка', caption: 'Толока' }, editorUrl)).status, 303);
    assert.equal((await editor.post(`/console/newsroom/materials/${id}/versions/${vid}/publish`, {}, editorUrl)).status, 303);
    const published = await editor.request(editorUrl);
    assert.match(published.text, /data-testid="status">Опубліковано/);
    assert.match(published.text, /data-testid="deliveries"/);
    assert.match(published.text, /data-testid="preview"/);

    const noNote = await editor.post(`/console/newsroom/materials/${id}/versions/${vid}/correct`, { type: 'photo_report', title: 'Толока в парку Перемоги', lead: 'Мешканці висадили 45 дерев', body_html: '<p>Дякуємо!</p>', note: '' }, editorUrl);
    assert.equal(noNote.status, 400);
    assert.match(noNote.text, /id="note-error"[^<]*>Коротко напишіть для читачів/);
    assert.match(noNote.text, /Мешканці висадили 45 дерев/);
    const fixed = await editor.post(`/console/newsroom/materials/${id}/versions/${vid}/correct`, { type: 'photo_report', title: 'Толока в парку Перемоги', lead: 'Мешканці висадили 45 дерев', body_html: '<p>Дякуємо!</p>', note: 'Уточнено кількість дерев', channels: 'telegram' }, editorUrl);
    assert.equal(fixed.status, 303);
    const after = await editor.request(editorUrl);
    assert.match(after.text, /data-testid="updated-note">Оновлено [^<]*Уточнено кількість дерев/);
    assert.match(after.text, /data-testid="history"[\s\S]*Редакція 2[\s\S]*Уточнено кількість дерев/);
  });

  it('an editor schedules a version in the community’s time zone; a time in the past is refused and nothing changes', async () => {
    const created = await editor.post('/console/newsroom/new', { lang: 'uk', type: 'announcement', title: 'Анонс: ярмарок вихідного дня', lead: 'У суботу на площі', body_html: '<p>Запрошуємо</p>' }, '/console/newsroom/new');
    const url = created.location!;
    const id = /materials\/([0-9a-f-]{36})/.exec(url)![1];
    const vid = /versions\/([0-9a-f-]{36})\/submit/.exec((await editor.request(url)).text)![1];
    const step = (a: string, form: Record<string, string> = {}) => editor.post(`/console/newsroom/materials/${id}/versions/${vid}/${a}`, form, url);
    assert.equal((await step('submit')).status, 303);
    assert.equal((await step('approve')).status, 303);
    const past = await step('schedule', { scheduled_at: '2020-01-01T10:00' });
    assert.equal(past.status, 400);
    assert.match(past.text, /Час публікації має бути щонайменше за хвилину/);
    assert.match(past.text, /data-testid="status">Погоджено/);
    const next = new Date(Date.now() + 3 * 86400_000);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit' }).format(next);
    assert.equal((await step('schedule', { scheduled_at: `${day}T09:30` })).status, 303);
    const page = await editor.request(url);
    assert.match(page.text, /data-testid="status">Заплановано/);
    assert.match(page.text, new RegExp(`value="${day}T09:30"`), 'shown again in the community’s time');
    const row = (await sql<{ at: Date }>`select scheduled_at as at from material_versions where id = ${vid}`.execute(app.app.db)).rows[0];
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(row.at);
    assert.equal(local, '09:30');
    assert.match((await editor.request(`/console/newsroom/calendar?week=${day}`)).text, /Анонс: ярмарок вихідного дня/);
  });

  it('messages come in the console language, and the calendar and campaigns read right to left in Persian', async () => {
    const fa = new Client(app.origin);
    await fa.staffLogin('/c/khomein', 'editor@khomein.example', DEMO_PASSWORD);
    const cal = await fa.request('/c/khomein/console/newsroom/calendar');
    assert.equal(cal.status, 200);
    assert.match(cal.text, /<html lang="fa" dir="rtl">/);
    assert.match(cal.text, /پرسش‌های این هفتهٔ شهروندان/);
    const camp = await fa.request('/c/khomein/console/newsroom/campaigns');
    assert.match(camp.text, /شهر پاک/);
    const campaignId = /campaigns\/([0-9a-f-]{36})"/.exec(camp.text)![1];
    assert.equal((await fa.request(`/c/khomein/console/newsroom/campaigns/${campaignId}`)).status, 200);
    const bad = await fa.post('/c/khomein/console/newsroom/new', { lang: 'fa', type: 'news', title: ' ', video_url: 'http://x.example' }, '/c/khomein/console/newsroom/new');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /پیوند ویدیویی در یوتیوب یا فیسبوک بدهید/);
    await editor.request('/console/newsroom?lang=en');
    const en = await editor.post('/console/newsroom/new', { lang: 'uk', type: 'news', title: 'x', video_url: 'http://x.example' }, '/console/newsroom/new');
    assert.match(en.text, /Give a link to a YouTube or Facebook video/);
    await editor.request('/console/newsroom?lang=uk');
  });

  it('an author may not manage categories; an editor adds a rubric; other communities stay apart', async () => {
    assert.equal((await author.post('/console/newsroom/terms', { kind: 'rubric', code: 'bad-one', name_uk: 'Ні' }, '/console/newsroom/terms')).status, 403);
    const ok = await editor.post('/console/newsroom/terms', { kind: 'rubric', code: 'city-voices', name_uk: 'Голоси міста', name_en: 'City voices' }, '/console/newsroom/terms');
    assert.equal(ok.status, 303);
    assert.match((await editor.request('/console/newsroom/terms')).text, /Голоси міста/);
    const bad = await editor.post('/console/newsroom/terms', { kind: 'rubric', code: 'Не латиницею', name_uk: 'x' }, '/console/newsroom/terms');
    assert.equal(bad.status, 400);
    const zelMaterial = (await sql<{ material_id: string }>`select material_id from material_versions v join communities c on c.id = v.community_id where c.slug = 'zelenodolsk' limit 1`.execute(app.app.db)).rows[0].material_id;
    const fa = new Client(app.origin);
    await fa.staffLogin('/c/khomein', 'editor@khomein.example', DEMO_PASSWORD);
    assert.equal((await fa.request(`/c/khomein/console/newsroom/materials/${zelMaterial}`)).status, 404);
    const list = await editor.request('/console/newsroom?status=published&lang=uk');
    assert.equal(list.status, 200);
    assert.match(list.text, /data-testid="materials"/);
    const found = await editor.request(`/console/newsroom?q=${encodeURIComponent('Толока в парку')}`);
    assert.match(found.text, /Толока в парку Перемоги/);
    assert.doesNotMatch(found.text, /Анонс: ярмарок вихідного дня/);
  });

  it('the JSON API creates, moves and corrects materials, with OpenAPI and clear errors', async () => {
    const token = await editor.apiToken('');
    const api = (path: string, method = 'GET', json?: unknown, lang = 'uk') => fetch(`${app.origin}/api${path}${path.includes('?') ? '&' : '?'}lang=${lang}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined,
    });
    const bad = await api('/v1/news/materials', 'POST', { type: 'news', lang: 'uk', version: { title: '' } }, 'fa');
    assert.equal(bad.status, 400);
    const err = await bad.json();
    assert.equal(err.error.code, 'invalid_input');
    assert.ok(err.error.details['version.title']);
    const r = await api('/v1/news/materials', 'POST', { type: 'announcement', lang: 'uk', urgent: true, tags: ['концерт'], version: { title: 'Концерт до Дня міста', body_html: '<p onclick="x">Програма</p>', channels: ['telegram'] } });
    assert.equal(r.status, 201);
    const m = await r.json();
    assert.equal(m.versions[0].body_html, '<p>Програма</p>');
    const v = m.versions[0].id;
    const pub = await api(`/v1/news/versions/${v}/transitions`, 'POST', { action: 'publish' });
    assert.equal(pub.status, 200);
    assert.equal((await pub.json()).versions[0].status, 'published');
    const wrong = await api(`/v1/news/versions/${v}/transitions`, 'POST', { action: 'approve' }, 'en');
    assert.equal(wrong.status, 409);
    assert.match((await wrong.json()).error.message, /not possible/);
    const cor = await api(`/v1/news/versions/${v}/corrections`, 'POST', { title: 'Концерт до Дня міста перенесено', body_html: '<p>Програма</p>', note: 'Нова дата' });
    assert.equal((await cor.json()).versions[0].correction_note, 'Нова дата');
    const doc = (await new Client(app.origin).request('/api/openapi.json')).json();
    assert.ok(doc.paths['/api/v1/news/materials'].post);
    assert.ok(doc.paths['/api/v1/news/versions/{id}/transitions'].post);
  });
});
