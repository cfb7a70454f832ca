import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { createDb, withDatabase, type Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { loadConfig } from '../config.ts';
import { start } from '../main.ts';

const baseUrl = () => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run tests with `npm test`');
  return url;
};

/** A new, empty database for one test file, on the test PostgreSQL. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(baseUrl(), name);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function migratedDb(): Promise<{ db: Db; url: string; close: () => Promise<void> }> {
  const fresh = await freshDatabase();
  const { db } = createDb(fresh.url, 5);
  await migrate(db);
  return { db, url: fresh.url, close: async () => { await db.destroy(); await fresh.drop(); } };
}

export const silentLog = pino({ level: 'silent' });

/** A real CityDesk server on 127.0.0.1 with its own database (demo data loaded by default). */
export async function startTestApp(env: Record<string, string> = {}) {
  const fresh = env.DATABASE_URL ? null : await freshDatabase();
  // Uploaded photos go to a folder of this app's own, removed with it.
  const mediaDir = env.CITYDESK_MEDIA_DIR ? null : await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-media-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: fresh?.url, CITYDESK_DEMO: 'true', CITYDESK_DEMO_APPEALS: 'false', CITYDESK_DEMO_NEWS: 'false', LOG_LEVEL: 'silent', ...(mediaDir ? { CITYDESK_MEDIA_DIR: mediaDir } : {}), ...env });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as never; // the demo banner is for humans
  const server = await start(config).finally(() => (process.stdout.write = write));
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    ...server,
    origin,
    url: config.databaseUrl!,
    close: async () => {
      await server.stop();
      await fresh?.drop();
      if (mediaDir) await fs.rm(mediaDir, { recursive: true, force: true });
    },
  };
}
