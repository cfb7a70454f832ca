// npm run backup -- <file>: a pg_dump (custom format) of the CityDesk database.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openDatabase } from './database.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('Usage: npm run backup -- <file.dump>\n');
  process.exit(2);
}
const db = await openDatabase();
const r = spawnSync('pg_dump', ['--format=custom', '--no-owner', `--file=${path.resolve(file)}`, `--dbname=${db.url}`], { stdio: 'inherit' });
await db.close();
if (r.error) process.stderr.write(`pg_dump could not run (${r.error.message}); install postgresql-client of the server's major version.\n`);
if (r.status === 0) process.stdout.write(`Backup written to ${path.resolve(file)}\n`);
process.exit(r.status ?? 1);
