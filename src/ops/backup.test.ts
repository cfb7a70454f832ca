import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { freshDatabase, startTestApp } from '../test/harness.ts';
import { createDb } from '../db/db.ts';

describe('backup and restore', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let target: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  before(async () => {
    app = await startTestApp();
    target = await freshDatabase();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-backup-'));
  });
  after(async () => {
    await app.close();
    await target.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('npm run backup writes a dump that npm run restore brings back whole', async () => {
    const file = path.join(dir, 'citydesk.dump');
    const run = (script: string, url: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, file], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', timeout: 120_000 });
    const b = run('backup', app.url);
    assert.equal(b.status, 0, b.stderr);
    assert.ok((await fs.stat(file)).size > 10_000);
    const r = run('restore', target.url);
    assert.equal(r.status, 0, r.stderr);
    const { db } = createDb(target.url, 1);
    const counts = async (d: typeof db) =>
      (await sql<{ u: string; o: string; a: string }>`select (select count(*) from users) u, (select count(*) from organisations) o, (select count(*) from audit_log) a`.execute(d)).rows[0];
    assert.deepEqual(await counts(db), await counts(app.app.db));
    // The restored database still enforces append-only audit and tenancy.
    await assert.rejects(sql`delete from audit_log`.execute(db), /append-only/);
    await db.destroy();
  });

  it('npm run super-admin grants the flag to an existing account only, and audits it', async () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/super-admin.ts', ...args], { env: { ...process.env, DATABASE_URL: app.url }, encoding: 'utf8', timeout: 60_000 });
    const flag = async () => (await app.app.db.selectFrom('users').select('is_super_admin').where('email', '=', 'mayor@khomein.example').executeTakeFirstOrThrow()).is_super_admin;
    assert.equal(cli('khomein', 'nobody@khomein.example').status, 1);
    assert.equal(cli('khomein', 'mayor@zelenodolsk.example').status, 1, 'an account of another community is not found');
    assert.equal(await flag(), false);
    assert.equal(cli('khomein', 'mayor@khomein.example').status, 0);
    assert.equal(await flag(), true);
    assert.equal(cli('khomein', 'mayor@khomein.example', '--revoke').status, 0);
    assert.equal(await flag(), false);
    const audit = await sql<{ n: string }>`select count(*) as n from audit_log where action like 'user.super_admin_%'`.execute(app.app.db);
    assert.equal(audit.rows[0].n, '2');
  });
});
