import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../test/harness.ts';
import { Client } from '../test/client.ts';
import { DEMO_PASSWORD } from './load.ts';
import { withCommunity } from '../db/db.ts';
import { periodDashboard } from '../modules/appeals/dashboard.ts';

describe('the demo year of appeals', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  before(async () => (app = await startTestApp({ CITYDESK_DEMO_APPEALS: 'true' })));
  after(() => app.close());

  it('has the source report’s proportions and a clean registration journal', async () => {
    const r = (await sql<{ total: string; phone: string; facebook: string; web: string; walk_in: string; thanks: string; control: string; in3days: string; resolved: string; numbers: string }>`
      select count(*) as total,
        count(*) filter (where channel = 'phone') as phone, count(*) filter (where channel = 'facebook') as facebook,
        count(*) filter (where channel = 'web') as web, count(*) filter (where channel = 'walk_in') as walk_in,
        count(*) filter (where type = 'thanks') as thanks, count(*) filter (where on_control) as control,
        count(*) filter (where a.resolved_at - a.created_at <= interval '72 hours') as in3days,
        count(*) filter (where resolved_at is not null) as resolved, count(distinct number) as numbers
      from appeals a join communities c on c.id = a.community_id where c.slug = 'zelenodolsk'`.execute(app.app.db)).rows[0];
    const n = Number(r.total);
    assert.equal(n, 35_000);
    assert.equal(Number(r.numbers), n, 'every number unique');
    const share = (x: string) => Number(x) / n;
    assert.ok(share(r.phone) > 0.96 && share(r.phone) < 0.985, `phone ${share(r.phone)}`);
    assert.ok(share(r.facebook) > 0.015 && share(r.facebook) < 0.025, `facebook ${share(r.facebook)}`);
    assert.ok(Number(r.web) > 0 && Number(r.walk_in) > 0 && Number(r.thanks) > 0);
    assert.equal(Number(r.control), 300);
    const within = Number(r.in3days) / Number(r.resolved);
    assert.ok(within > 0.87 && within < 0.93, `resolved within 3 days: ${within}`);
    // The counter continues after the demo: the next appeal gets the next number.
    const counter = (await sql<{ last: number; max: string }>`
      select k.last, (select max(number) from appeals a where a.community_id = k.community_id and a.number like k.year || '-%') as max
      from appeal_counters k join communities c on c.id = k.community_id where c.slug = 'zelenodolsk' order by k.year desc limit 1`.execute(app.app.db)).rows[0];
    assert.equal(counter.max.slice(5), String(counter.last).padStart(6, '0'));
  });

  it('the dashboard shows the period’s figures to leadership, not to executors', async () => {
    const mayor = new Client(app.origin);
    await mayor.staffLogin('', 'mayor@zelenodolsk.example', DEMO_PASSWORD);
    const r = await mayor.request('/console/appeals/dashboard?from=2000-01-01&to=2100-01-01');
    assert.equal(r.status, 200);
    assert.match(r.text, /data-testid="headline"[\s\S]*35[\s\u00a0]?000/);
    assert.match(r.text, /data-testid="executors"[\s\S]*Зеленодольськводоканал/);
    const z = (await app.app.communities.bySlug('zelenodolsk'))!;
    const d = await withCommunity(app.app.db, z.id, (tx) => periodDashboard(tx, { from: new Date('2000-01-01'), to: new Date('2100-01-01') }));
    assert.equal(d.total, 35_000);
    assert.equal(Object.values(d.byChannel).reduce((a, b) => a + b, 0), 35_000);
    assert.equal(d.onControl, 300);
    assert.ok(d.executors.length >= 5 && d.executors[0].missed >= d.executors.at(-1)!.missed, 'ranked by missed targets');
    const water = new Client(app.origin);
    await water.staffLogin('', 'executor.water@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await water.request('/console/appeals/dashboard')).status, 403);
  });
});
