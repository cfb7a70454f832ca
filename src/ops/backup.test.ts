import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { freshDatabase, startTestApp } from '../test/harness.ts';
import { createDb } from '../db/db.ts';

/** Runs a CLI without blocking this process's event loop (the app under test keeps working). */
function cli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

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
    const run = (script: string, url: string) => cli([`src/cli/${script}.ts`, file], { DATABASE_URL: url }, 120_000);
    const b = await run('backup', app.url);
    assert.equal(b.status, 0, b.stderr);
    assert.ok((await fs.stat(file)).size > 10_000);
    const r = await run('restore', target.url);
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
    const admin = async (...args: string[]) => (await cli(['src/cli/super-admin.ts', ...args], { DATABASE_URL: app.url }, 60_000)).status;
    const flag = async () => (await app.app.db.selectFrom('users').select('is_super_admin').where('email', '=', 'mayor@khomein.example').executeTakeFirstOrThrow()).is_super_admin;
    assert.equal(await admin('khomein', 'nobody@khomein.example'), 1);
    assert.equal(await admin('khomein', 'mayor@zelenodolsk.example'), 1, 'an account of another community is not found');
    assert.equal(await flag(), false);
    assert.equal(await admin('khomein', 'mayor@khomein.example'), 0);
    assert.equal(await flag(), true);
    assert.equal(await admin('khomein', 'mayor@khomein.example', '--revoke'), 0);
    assert.equal(await flag(), false);
    const audit = await sql<{ n: string }>`select count(*) as n from audit_log where action like 'user.super_admin_%'`.execute(app.app.db);
    assert.equal(audit.rows[0].n, '2');
  });
});
