import pg from 'pg';
import { loadConfig } from '../config.ts';
import { startEmbedded } from '../db/embedded.ts';
import { withDatabase } from '../db/db.ts';

/** The database a command-line tool works on: DATABASE_URL, or the embedded server of
 * CITYDESK_DATA_DIR (used if CityDesk is running, started for the command otherwise). */
export async function openDatabase(): Promise<{ url: string; adminUrl: string; close: () => Promise<void> }> {
  const config = loadConfig();
  if (config.databaseUrl) return { url: config.databaseUrl, adminUrl: config.databaseUrl, close: async () => {} };
  const adminUrl = `postgres://postgres:citydesk-local@127.0.0.1:${config.pgPort}/postgres`;
  const probe = new pg.Client({ connectionString: adminUrl });
  try {
    await probe.connect();
    await probe.end();
    return { url: withDatabase(adminUrl, 'citydesk'), adminUrl, close: async () => {} };
  } catch {
    const server = await startEmbedded(config.dataDir, config.pgPort, (m) => process.stderr.write(`${m}\n`));
    return { url: withDatabase(server.url, 'citydesk'), adminUrl: server.url, close: server.stop };
  }
}
