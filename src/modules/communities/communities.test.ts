import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';

describe('the community registry', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  before(async () => (app = await startTestApp()));
  after(() => app.close());

  it('only the deployment super-admin creates communities; a new one is served at once', async () => {
    const root = new Client(app.origin);
    await root.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
    const kh = new Client(app.origin);
    await kh.staffLogin('/c/khomein', 'admin@khomein.example', DEMO_PASSWORD);
    const body = { slug: 'boryslav', names: { uk: 'Борислав', en: 'Boryslav' }, default_lang: 'uk', time_zone: 'Europe/Kyiv', calendar: 'gregorian', hosts: ['boryslav.example.gov.ua'] };
    const denied = await kh.request('/c/khomein/api/v1/communities', { json: body, headers: { 'x-csrf-token': await kh.csrf('/c/khomein/console/security') } });
    assert.equal(denied.status, 403);
    const bad = await root.request('/api/v1/communities', { json: { ...body, time_zone: 'Mars/Olympus' }, headers: { 'x-csrf-token': await root.csrf('/console/security') } });
    assert.equal(bad.status, 400);
    assert.ok(bad.json().error.details.time_zone);
    const ok = await root.request('/api/v1/communities', { json: body, headers: { 'x-csrf-token': await root.csrf('/console/security') } });
    assert.equal(ok.status, 201, ok.text);
    const portal = await new Client(app.origin).request('/c/boryslav/uk/');
    assert.equal(portal.status, 200);
    assert.match(portal.text, /Борислав/);
    // Its own host name reaches it without /c/{slug}; unknown host names get the default community.
    const byHost = await getWithHost(`${app.origin}/uk/`, 'boryslav.example.gov.ua');
    assert.match(byHost, /<a class="brand" href="\/uk\/">Борислав<\/a>/);
    assert.match(await getWithHost(`${app.origin}/uk/`, 'elsewhere.example'), /Зеленодольськ/);
    const again = await root.request('/api/v1/communities', { json: body, headers: { 'x-csrf-token': await root.csrf('/console/security') } });
    assert.equal(again.status, 409);
  });

  it('a JSON call from the console session needs the CSRF header', async () => {
    const kh = new Client(app.origin);
    const enrolled = await app.app.db.selectFrom('users').select('totp_secret').where('email', '=', 'admin@khomein.example').executeTakeFirstOrThrow();
    await kh.staffLogin('/c/khomein', 'admin@khomein.example', DEMO_PASSWORD, enrolled.totp_secret!);
    const body = { json: { kind: 'department', names: { fa: 'اداره فرهنگ' } } };
    const r = await kh.request('/c/khomein/api/v1/organisations', body);
    assert.equal(r.status, 403);
    assert.equal(r.json().error.code, 'csrf_failed');
    const ok = await kh.request('/c/khomein/api/v1/organisations', { ...body, headers: { 'x-csrf-token': await kh.csrf('/c/khomein/console/security') } });
    assert.equal(ok.status, 201);
  });
});

/** fetch() will not send another Host header; node:http will. */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}
