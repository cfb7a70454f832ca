// npm run super-admin -- <community-slug> <email> [--revoke]
// Grants (or revokes) the deployment-wide super-administrator flag to an existing staff account.
import { sql } from 'kysely';
import { createDb } from '../db/db.ts';
import { recordAudit, systemActor } from '../modules/audit/service.ts';
import { openDatabase } from './database.ts';

const [slug, email, flag] = process.argv.slice(2);
if (!slug || !email || (flag && flag !== '--revoke')) {
  process.stderr.write('Usage: npm run super-admin -- <community-slug> <email> [--revoke]\n');
  process.exit(2);
}
const conn = await openDatabase();
const { db } = createDb(conn.url, 1);
let code = 0;
try {
  await db.transaction().execute(async (tx) => {
    const r = await sql<{ id: string; community_id: string }>`
      update users u set is_super_admin = ${flag !== '--revoke'}
      from communities c where c.id = u.community_id and c.slug = ${slug} and u.email = ${email.toLowerCase()}
      returning u.id, u.community_id`.execute(tx);
    if (r.rows.length === 0) throw new Error(`No staff account ${email} in community ${slug}.`);
    const actor = systemActor(r.rows[0].community_id, 'command line');
    await recordAudit(tx, actor, { action: flag ? 'user.super_admin_revoked' : 'user.super_admin_granted', objectType: 'user', objectId: r.rows[0].id });
  });
  process.stdout.write(`${email} in ${slug}: super-admin ${flag ? 'revoked' : 'granted'}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  code = 1;
} finally {
  await db.destroy();
  await conn.close();
}
process.exit(code);
