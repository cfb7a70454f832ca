import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { isoWithOffset, publicAddress, publicDescription, zonedToDate } from '../../modules/appeals/open311.ts';

// ajv is CommonJS: its class is the module's default export.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const schemaDir = path.resolve(repoRoot, '../shared/standards/open311-georeport-v2');
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
for (const name of ['service.json', 'services.json', 'service-definition.json', 'request.json', 'requests.json']) {
  ajv.addSchema(JSON.parse(readFileSync(path.join(schemaDir, name), 'utf8')), name);
}
function assertValid(schema: string, data: unknown) {
  const validate = ajv.getSchema(schema)!;
  assert.ok(validate(data), `${schema}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(data, null, 1).slice(0, 2000)}`);
}

/** Well-formed XML: the declaration, one root, balanced tags, only the five entities. Returns the root's name. */
function wellFormedRoot(xml: string): string {
  assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n/);
  const body = xml.replace(/^<\?xml[^?]*\?>/, '').trim();
  assert.doesNotMatch(body.replace(/<[^>]*>/g, ''), /<|>|&(?!(amp|lt|gt|quot|apos);)/, 'stray markup characters in text');
  const stack: string[] = [];
  let root = '';
  let closedRoot = false;
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)\s*(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    assert.ok(!closedRoot, 'content after the root element');
    if (!root) root = name;
    if (closing) assert.equal(stack.pop(), name, `</${name}> does not close the open element`);
    else if (!selfClosing) stack.push(name);
    if (stack.length === 0) closedRoot = true;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(body.replace(/<[^>]*>/g, '').length + (body.match(/<[^>]*>/g) ?? []).join('').length, body.length);
  return root;
}
const count = (xml: string, element: string) => (xml.match(new RegExp(`<${element}>`, 'g')) ?? []).length;

type Service = { service_code: string; service_name: string };
type Request = { service_request_id: string; status: string; service_code: string; address: string | null; lat: number | null; long: number | null; description: string | null };
type Open311Error = { code: number; description: string };

describe('Open311 GeoReport v2', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let writeKey: string;
  let readKey: string;
  let editorKey: string; // press editor: no appeals permission
  let ids: { z: string; k: string };
  const web = () => new Client(app.origin);
  const appealsCount = async () => Number((await sql<{ n: string }>`select count(*) as n from appeals`.execute(app.app.db)).rows[0].n);
  const post = (form: Record<string, string>, opts: { xml?: boolean; headers?: Record<string, string>; query?: string } = {}) =>
    web().request(`/open311/v2/requests.${opts.xml ? 'xml' : 'json'}${opts.query ?? ''}`, { form, headers: opts.headers });
  const assertError = (res: { status: number; json: () => unknown; headers: Headers }, status: number) => {
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = res.json() as Open311Error[];
    assert.ok(Array.isArray(body) && body.length === 1, JSON.stringify(body));
    assert.equal(body[0].code, status);
    assert.equal(typeof body[0].description, 'string');
    assert.ok(body[0].description.length > 0);
    return body[0];
  };
  const assertXmlError = (res: { status: number; text: string }, status: number) => {
    assert.equal(res.status, status);
    assert.equal(wellFormedRoot(res.text), 'errors');
    assert.match(res.text, new RegExp(`<errors><error><code>${status}</code><description>[^<]+</description></error></errors>`));
  };

  const applicant = { first_name: 'Олена', last_name: 'Коваленко', email: 'olena.k@example.org', phone: '+380501234567' };
  const report = {
    service_code: 'water-leak',
    description: 'Тече вода з-під асфальту біля під’їзду, калюжа вже на пів вулиці <терміново> & швидко',
    address_string: 'вул. Шевченка, буд. 47а, кв. 19',
    lat: '48.4671234',
    long: '35.0412345',
    ...applicant,
  };

  before(async () => {
    app = await startTestApp();
    const rows = await app.app.db.selectFrom('communities').select(['id', 'slug']).execute();
    ids = { z: rows.find((r) => r.slug === 'zelenodolsk')!.id, k: rows.find((r) => r.slug === 'khomein')!.id };
    const operator = new Client(app.origin);
    await operator.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    writeKey = await operator.apiToken('', 'write');
    readKey = await operator.apiToken('', 'read');
    const editor = new Client(app.origin);
    await editor.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    editorKey = await editor.apiToken('', 'write');
  });
  after(() => app.close());

  it('publicAddress keeps the street and drops house, building and flat numbers', () => {
    const cases: Array<[string, string | null]> = [
      ['вул. Шевченка, 12', 'вул. Шевченка'],
      ['вул. Шевченка, буд. 12а, кв. 3', 'вул. Шевченка'],
      ['вул. Шевченка 12', 'вул. Шевченка'],
      ['вул. Лесі Українки 12 кв 3', 'вул. Лесі Українки'],
      ['просп. Миру, № 5', 'просп. Миру'],
      ['вул. Шевченка, 12/1', 'вул. Шевченка'],
      ['вул. Героїв 93-ї бригади, 4-А', 'вул. Героїв 93-ї бригади'],
      ['вул. 8 Березня, 14', 'вул. 8 Березня'],
      ['вул. Б. Хмельницького, б. 7, кв.15', 'вул. Б. Хмельницького'],
      ['пров. Тихий 3, під’їзд 2', 'пров. Тихий'],
      ['вул. Соборна, 1, м. Зеленодольськ', 'вул. Соборна, м. Зеленодольськ'],
      ['12 Main Street', 'Main Street'],
      ['221B Baker Street, London', 'Baker Street, London'],
      ['5th Avenue 10', '5th Avenue'],
      ['Shevchenko St, house 12, apt 3', 'Shevchenko St'],
      ['خیابان امام، پلاک ۱۲، واحد ۳', 'خیابان امام'],
      ['12', null],
      ['address_id: 545483', null],
      ['', null],
    ];
    for (const [input, want] of cases) assert.equal(publicAddress(input), want, input);
  });

  it('publicDescription cuts the applicant’s name, contacts and the house number', () => {
    const d = publicDescription({
      description: 'Біля вул. Шевченка, 12 тече вода. Дзвоніть 050 123 45 67 або пишіть olena@example.org — Олена Коваль',
      address: 'вул. Шевченка, 12', applicant_name: 'Олена Коваль', applicant_phone: '+380501234567', applicant_email: 'olena@example.org', applicant_address: null,
    });
    assert.match(d, /вул\. Шевченка/);
    assert.doesNotMatch(d, /12|olena|Олена|Коваль|050/);
  });

  it('dates carry the community’s offset', () => {
    assert.equal(isoWithOffset(new Date('2026-01-15T10:00:00Z'), 'Europe/Kyiv'), '2026-01-15T12:00:00+02:00');
    assert.equal(isoWithOffset(new Date('2026-07-15T10:00:00Z'), 'Asia/Tehran'), '2026-07-15T13:30:00+03:30');
    assert.equal(zonedToDate('2026-01-15T12:00', 'Europe/Kyiv').toISOString(), '2026-01-15T10:00:00.000Z');
  });

  it('discovery points at this community’s endpoint in both formats', async () => {
    const json = await web().request('/c/khomein/open311/discovery.json');
    assert.equal(json.status, 200);
    const d = json.json();
    assert.equal(d.endpoints.length, 1);
    assert.equal(d.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.equal(d.endpoints[0].url, `${app.origin}/c/khomein/open311/v2`);
    assert.deepEqual(d.endpoints[0].formats, ['text/xml', 'application/json']);
    assert.equal(d.endpoints[0].type, 'production');
    assert.match(d.changeset, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    assert.ok(d.contact && d.key_service);
    const xml = await web().request('/open311/discovery.xml');
    assert.equal(xml.status, 200);
    assert.match(xml.headers.get('content-type') ?? '', /text\/xml/);
    assert.equal(wellFormedRoot(xml.text), 'discovery');
    assert.match(xml.text, /<endpoints><endpoint><specification>http:\/\/wiki\.open311\.org\/GeoReport_v2<\/specification><url>http:\/\/127\.0\.0\.1:\d+\/open311\/v2<\/url>/);
    assert.match(xml.text, /<formats><format>text\/xml<\/format><format>application\/json<\/format><\/formats>/);
  });

  it('services: every category, valid against the schema, in the request’s language', async () => {
    const res = await web().request('/open311/v2/services.json?lang=en');
    assert.equal(res.status, 200);
    const services = res.json() as Service[];
    assertValid('services.json', services);
    const codes = await withCommunity(app.app.db, ids.z, (tx) => tx.selectFrom('appeal_categories').select('code').where('archived_at', 'is', null).execute());
    assert.deepEqual(services.map((s) => s.service_code).sort(), codes.map((c) => c.code).sort());
    assert.equal(services.find((s) => s.service_code === 'water-leak')!.service_name, 'Burst water pipe, leak');
    const uk = (await web().request('/open311/v2/services.json')).json() as Service[];
    assert.equal(uk.find((s) => s.service_code === 'water-leak')!.service_name, 'Порив водопроводу, витік води');

    const xml = await web().request('/open311/v2/services.xml');
    assert.equal(xml.status, 200);
    assert.equal(wellFormedRoot(xml.text), 'services');
    assert.equal(count(xml.text, 'service'), services.length);
    assert.match(xml.text, /<service><service_code>[^<]+<\/service_code><service_name>/);
  });

  it('/c/khomein lists Khomein’s categories only', async () => {
    const services = (await web().request('/c/khomein/open311/v2/services.json')).json() as Service[];
    assertValid('services.json', services);
    const codes = await withCommunity(app.app.db, ids.k, (tx) => tx.selectFrom('appeal_categories').select('code').where('archived_at', 'is', null).execute());
    assert.deepEqual(services.map((s) => s.service_code).sort(), codes.map((c) => c.code).sort());
    assert.ok(!services.some((s) => s.service_code === 'water-leak'));
    assert.equal(services.find((s) => s.service_code === 'asphalt')!.service_name, 'چاله و خرابی آسفالت', 'Persian, the community’s default');
  });

  it('service definition: empty attributes; unknown code is a 404 in the error format', async () => {
    const res = await web().request('/open311/v2/services/water-leak.json');
    assert.equal(res.status, 200);
    const def = res.json();
    assertValid('service-definition.json', def);
    assert.deepEqual(def, { service_code: 'water-leak', attributes: [] });
    const xml = await web().request('/open311/v2/services/water-leak.xml');
    assert.equal(wellFormedRoot(xml.text), 'service_definition');
    assert.match(xml.text, /<service_code>water-leak<\/service_code><attributes><\/attributes>/);

    assertError(await web().request('/open311/v2/services/no-such-thing.json'), 404);
    assertXmlError(await web().request('/open311/v2/services/no-such-thing.xml'), 404);
    assertError(await web().request('/c/khomein/open311/v2/services/water-leak.json'), 404);
  });

  it('POST needs a write api_key of someone who handles appeals', async () => {
    const before = await appealsCount();
    const none = assertError(await post(report), 401);
    assert.match(none.description, /api_key/);
    assertXmlError(await post(report, { xml: true }), 401);
    assertError(await post({ ...report, api_key: 'cdk_not-a-real-token' }), 401);
    assertError(await post({ ...report, api_key: 'nonsense' }), 401);
    assertError(await post({ ...report, api_key: readKey }), 403);
    assertXmlError(await post({ ...report, api_key: readKey }, { xml: true }), 403);
    assertError(await post({ ...report, api_key: editorKey }), 403);
    // A Zelenodolsk key does not open Khomein.
    assertError(await web().request('/c/khomein/open311/v2/requests.json', { form: { ...report, service_code: 'asphalt', api_key: writeKey } }), 401);
    assert.equal(await appealsCount(), before, 'nothing filed');
  });

  it('POST with bad input answers 400 in the error format and files nothing', async () => {
    const before = await appealsCount();
    const unknown = assertError(await post({ ...report, service_code: 'no-such-service', api_key: writeKey }), 400);
    assert.match(unknown.description, /no-such-service/);
    assertXmlError(await post({ ...report, service_code: 'no-such-service', api_key: writeKey }, { xml: true }), 400);
    assertError(await post({ ...report, service_code: 'asphalt', api_key: writeKey }), 400); // Khomein's code
    assertError(await post({ ...report, description: '', api_key: writeKey }), 400);
    assertError(await post({ ...report, description: 'коротко', api_key: writeKey }), 400);
    const { lat: _lat, long: _long, address_string: _a, ...noPlace } = report;
    assertError(await post({ ...noPlace, api_key: writeKey }), 400);
    assertError(await post({ ...noPlace, lat: '48.1', api_key: writeKey }), 400);
    assertError(await post({ ...report, lat: '200', api_key: writeKey }), 400);
    assertError(await post({ ...report, email: 'not-an-email', api_key: writeKey }), 400);
    assertError(await post({ ...report, api_key: writeKey, jurisdiction_id: 'khomein' }), 404);
    const badJson = await web().request('/open311/v2/requests.json', { body: '{"service_code":', headers: { 'content-type': 'application/json' } });
    assertError(badJson, 400);
    assert.equal(await appealsCount(), before, 'nothing filed');
  });

  let filedId = '';
  it('POST files an appeal once per Idempotency-Key; the public list shows it without personal data', async () => {
    const before = await appealsCount();
    const key = `o311-${Date.now()}`;
    const first = await post({ ...report, api_key: writeKey, 'attribute[WHISHETN]': 'ignored' }, { headers: { 'idempotency-key': key } });
    assert.equal(first.status, 200, first.text);
    const created = first.json() as Array<{ service_request_id: string; service_notice: string; account_id: null }>;
    assert.equal(created.length, 1);
    assert.match(created[0].service_request_id, /^\d{4}-\d{6}$/);
    assert.equal(created[0].account_id, null);
    assert.equal(typeof created[0].service_notice, 'string');
    filedId = created[0].service_request_id;

    const again = await post({ ...report, api_key: writeKey }, { headers: { 'idempotency-key': key } });
    assert.equal(again.status, 200);
    assert.equal(again.json()[0].service_request_id, filedId);
    const xmlAgain = await post({ ...report, api_key: writeKey }, { xml: true, headers: { 'idempotency-key': key } });
    assert.equal(wellFormedRoot(xmlAgain.text), 'service_requests');
    assert.match(xmlAgain.text, new RegExp(`<request><service_request_id>${filedId}</service_request_id><service_notice>[^<]+</service_notice><account_id/></request>`));
    assert.equal(await appealsCount(), before + 1, 'one appeal for one key');

    const stored = await withCommunity(app.app.db, ids.z, (tx) => tx.selectFrom('appeals').selectAll().where('number', '=', filedId).executeTakeFirstOrThrow());
    assert.equal(stored.channel, 'open311');
    assert.equal(stored.type, 'statement');
    assert.equal(stored.lang, 'uk');
    assert.equal(stored.applicant_name, 'Олена Коваленко');
    assert.equal(stored.applicant_email, 'olena.k@example.org');
    assert.equal(stored.address, report.address_string);
    assert.equal(stored.lat, 48.4671234);

    // The public list.
    const list = await web().request('/open311/v2/requests.json');
    assert.equal(list.status, 200);
    const requests = list.json() as Request[];
    assertValid('requests.json', requests);
    const mine = requests.find((r) => r.service_request_id === filedId)!;
    assert.ok(mine, 'listed');
    assert.equal(mine.status, 'open');
    assert.equal(mine.service_code, 'water-leak');
    assert.equal(mine.address, 'вул. Шевченка');
    assert.equal(mine.lat, 48.467);
    assert.equal(mine.long, 35.041);
    for (const text of [list.text, (await web().request('/open311/v2/requests.xml')).text, (await web().request(`/open311/v2/requests/${filedId}.json`)).text]) {
      for (const secret of ['Олена', 'Коваленко', 'olena.k@example.org', '+380501234567', '380501234567', '47а', 'буд. 47', 'кв. 19', '48.4671234']) {
        assert.ok(!text.includes(secret), `the public list must not contain ${secret}`);
      }
    }

    const xml = await web().request('/open311/v2/requests.xml');
    assert.equal(xml.status, 200);
    assert.equal(wellFormedRoot(xml.text), 'service_requests');
    assert.equal(count(xml.text, 'request'), requests.length);
    assert.match(xml.text, /&lt;терміново&gt; &amp; швидко/);
  });

  it('JSON bodies and ?lang are taken', async () => {
    const res = await web().request('/open311/v2/requests.json?lang=en', {
      json: { api_key: writeKey, service_code: 'street-light', lat: 48.47, long: 35.04, description: 'The street light has been out for a week', attribute: { x: 1 } },
    });
    assert.equal(res.status, 200, res.text);
    const id = res.json()[0].service_request_id as string;
    const stored = await withCommunity(app.app.db, ids.z, (tx) => tx.selectFrom('appeals').select(['lang', 'anonymous', 'channel']).where('number', '=', id).executeTakeFirstOrThrow());
    assert.deepEqual(stored, { lang: 'en', anonymous: true, channel: 'open311' });
    const one = (await web().request(`/open311/v2/requests/${id}.json?lang=en`)).json() as Request[];
    assertValid('requests.json', one);
    assert.equal(one[0].address, null);
    assert.equal((one[0] as unknown as { service_name: string }).service_name, 'Street light out');

    // address_id alone is a location; it is kept for the operators, never published.
    const byId = await post({ api_key: writeKey, service_code: 'waste', address_id: '545483', description: 'Контейнери переповнені третій день' });
    assert.equal(byId.status, 200, byId.text);
    const byIdNumber = byId.json()[0].service_request_id as string;
    const row = await withCommunity(app.app.db, ids.z, (tx) => tx.selectFrom('appeals').select('address').where('number', '=', byIdNumber).executeTakeFirstOrThrow());
    assert.equal(row.address, 'address_id: 545483');
    const shown = (await web().request(`/open311/v2/requests/${byIdNumber}.json`)).json() as Request[];
    assert.equal(shown[0].address, null);
    assert.ok(!JSON.stringify(shown).includes('545483'));
  });

  it('one request: an array of one; XML variant; not-public categories and other communities are not found', async () => {
    const res = await web().request(`/open311/v2/requests/${filedId}.json`);
    assert.equal(res.status, 200);
    const one = res.json() as Request[];
    assertValid('requests.json', one);
    assert.equal(one.length, 1);
    assert.equal(one[0].service_request_id, filedId);
    const xml = await web().request(`/open311/v2/requests/${filedId}.xml`);
    assert.equal(wellFormedRoot(xml.text), 'service_requests');
    assert.equal(count(xml.text, 'request'), 1);
    assert.match(xml.text, new RegExp(`<request><service_request_id>${filedId}</service_request_id><status>open</status>`));

    assertError(await web().request('/open311/v2/requests/1999-000001.json'), 404);
    assertXmlError(await web().request('/open311/v2/requests/1999-000001.xml'), 404);
    assertError(await web().request(`/c/khomein/open311/v2/requests/${filedId}.json`), 404);

    // "housing" is not a public category: filed, but never listed.
    const hidden = await post({ ...report, service_code: 'housing', api_key: writeKey });
    assert.equal(hidden.status, 200, hidden.text);
    const hiddenId = hidden.json()[0].service_request_id as string;
    assertError(await web().request(`/open311/v2/requests/${hiddenId}.json`), 404);
    const all = (await web().request('/open311/v2/requests.json')).json() as Request[];
    assert.ok(!all.some((r) => r.service_request_id === hiddenId));
    assert.ok(!all.some((r) => r.service_code === 'housing'));
  });

  it('GET requests filters', async () => {
    const ids = async (query: string) => {
      const res = await web().request(`/open311/v2/requests.json${query}`);
      assert.equal(res.status, 200, res.text);
      assertValid('requests.json', res.json());
      return (res.json() as Request[]).map((r) => r.service_request_id);
    };
    assert.ok((await ids('?service_code=water-leak')).includes(filedId));
    assert.ok(!(await ids('?service_code=pothole')).includes(filedId));
    assert.ok((await ids('?service_code=pothole,water-leak')).includes(filedId));
    assert.ok((await ids('?status=open')).includes(filedId));
    assert.ok(!(await ids('?status=closed')).includes(filedId));
    assert.ok((await ids('?status=open,closed')).includes(filedId));
    assert.deepEqual(await ids(`?service_request_id=${filedId}`), [filedId]);
    assert.deepEqual(await ids(`?service_request_id=${filedId},1999-000001&status=closed`), [filedId], 'ids override the other filters');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    assert.deepEqual(await ids(`?start_date=${encodeURIComponent(tomorrow)}`), []);
    const yesterday = isoWithOffset(new Date(Date.now() - 86_400_000), 'Europe/Kyiv');
    assert.ok((await ids(`?start_date=${encodeURIComponent(yesterday)}&end_date=${encodeURIComponent(tomorrow)}`)).includes(filedId));
    assertError(await web().request('/open311/v2/requests.json?start_date=yesterday'), 400);
    assertError(await web().request('/open311/v2/requests.json?status=pending'), 400);
    assertError(await web().request('/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-12-31T00:00:00Z'), 400);
    assertXmlError(await web().request('/open311/v2/requests.xml?start_date=yesterday'), 400);
  });

  it('jurisdiction_id must be this community; tokens are never issued; unknown paths answer in the error format', async () => {
    assert.equal((await web().request('/open311/v2/services.json?jurisdiction_id=zelenodolsk')).status, 200);
    assert.equal((await web().request('/c/khomein/open311/v2/services.json?jurisdiction_id=khomein')).status, 200);
    assertError(await web().request('/open311/v2/services.json?jurisdiction_id=khomein'), 404);
    assertXmlError(await web().request('/open311/v2/requests.xml?jurisdiction_id=elsewhere'), 404);
    assertError(await web().request(`/open311/v2/requests/${filedId}.json?jurisdiction_id=khomein`), 404);
    assertError(await web().request('/open311/v2/services/water-leak.json?jurisdiction_id=x'), 404);

    assertError(await web().request('/open311/v2/tokens/abc123.json'), 404);
    assertXmlError(await web().request('/open311/v2/tokens/abc123.xml'), 404);
    assertError(await web().request('/c/no-such-town/open311/v2/services.json'), 404);
    assertXmlError(await web().request('/c/no-such-town/open311/v2/services.xml'), 404);
    assertError(await web().request('/open311/v2/services.csv'), 404);
    assertError(await web().request('/open311/v2/requests/abc.csv'), 404);
    // Messages in the request's language.
    const fa = assertError(await web().request('/open311/v2/tokens/abc.json?lang=fa'), 404);
    assert.match(fa.description, /یافت نشد/);
  });
});
