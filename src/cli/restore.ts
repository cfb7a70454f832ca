// npm run restore -- <file>: replaces the CityDesk database with a backup made by `npm run backup`.
// Stop CityDesk first: the database is dropped and created again.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from './database.ts';
import { withDatabase } from '../db/db.ts';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  process.stderr.write('Usage: npm run restore -- <file.dump> (a file made by npm run backup)\n');
  process.exit(2);
}
const db = await openDatabase();
const name = new URL(db.url).pathname.slice(1);
const admin = new pg.Client({ connectionString: withDatabase(db.adminUrl, 'postgres') });
await admin.connect();
await admin.query(`drop database if exists "${name}" with (force)`);
await admin.query(`create database "${name}"`);
await admin.query(`do $$ begin if not exists (select 1 from pg_roles where rolname = 'citydesk_app') then create role citydesk_app nologin; end if; end $$`);
await admin.end();
const r = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${db.url}`, path.resolve(file)], { stdio: 'inherit' });
await db.close();
if (r.status === 0) process.stdout.write(`Restored ${path.resolve(file)} into database "${name}"\n`);
process.exit(r.status ?? 1);
