// Starts a throw-away embedded PostgreSQL for one test run; prints its URL; removes the
// folder on SIGTERM. Used by scripts/test.mjs when TEST_DATABASE_URL is not given.
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startEmbedded } from '../db/embedded.ts';

const port = await new Promise<number>((resolve) => {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1', () => {
    const p = (srv.address() as net.AddressInfo).port;
    srv.close(() => resolve(p));
  });
});
const dir = path.resolve('.test-data', `run-${process.pid}`);
const server = await startEmbedded(dir, port, (m) => process.stderr.write(`${m}\n`));
process.stdout.write(`URL ${server.url}\n`);
const stop = async () => {
  await server.stop();
  await fs.rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
